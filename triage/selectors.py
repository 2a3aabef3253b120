"""Reads for the triage app: querysets with what their pages and jobs need already joined."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts import listing
from accounts.models import Account, Color, HealthChange
from accounts.scoring import inputs as scoring_inputs
from accounts.scoring import rules
from healthscore import clock, csv_download, permissions
from triage.models import (
    ACTIVE_CTA_STATES,
    Cta,
    CtaState,
    Risk,
    TriageRecord,
    TriageStatus,
)


def open_triage_q(prefix: str = "") -> Q:
    """Accounts with an open triage record, as a condition on Account (or through "account__")."""
    return Q(**{f"{prefix}pk__in": TriageRecord.objects.filter(status=TriageStatus.OPEN).values("account_id")})


def accounts_for_triage(accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Accounts annotated for the triage job, one query for any number:

    - color_since: the day the account turned its current color (the latest recorded change into
      it; the Customer Health Score Date for accounts scored before triage recorded changes);
    - open_triage_id: its open triage record, if any;
    - last_red_closed_on: the day a triage record was last closed while its risk was red.
    """
    since = (
        HealthChange.objects.filter(account=OuterRef("pk"), new_color=OuterRef("health_color"))
        .order_by("-as_of", "-pk")
        .values("as_of")[:1]
    )
    open_triage = TriageRecord.objects.filter(account=OuterRef("pk"), status=TriageStatus.OPEN).values("pk")[:1]
    last_red_closed = (
        TriageRecord.objects.filter(account=OuterRef("pk"), status=TriageStatus.CLOSED, risk=Risk.RED)
        .values("account")
        .annotate(last=Max("closed_on"))
        .values("last")
    )
    return accounts.annotate(
        color_since=Coalesce(Subquery(since), F("health_date")),
        open_triage_id=Subquery(open_triage),
        last_red_closed_on=Subquery(last_red_closed),
    )


def accounts_with_last_cadence_call(accounts: QuerySet[Account], as_of: dt.date) -> QuerySet[Account]:
    """Accounts annotated with last_cadence_call: the latest cadence call held on or before as_of."""
    return accounts.annotate(last_cadence_call=scoring_inputs.last_cadence_call(as_of))


# --- Pages --------------------------------------------------------------------------------


# The cockpit's priority: red before yellow before green before unscored, then the larger ARR,
# then the older CTA.
COLOR_RANK = Case(
    When(account__health_color=Color.RED, then=Value(0)),
    When(account__health_color=Color.YELLOW, then=Value(1)),
    When(account__health_color=Color.GREEN, then=Value(2)),
    default=Value(3),
)
COCKPIT_SORTS = {
    "priority": ("color_rank", F("account__arr").desc(), "opened_on", "pk"),
    "oldest": ("opened_on", "pk"),
    "arr": (F("account__arr").desc(), "opened_on", "pk"),
}


def _cockpit_scope(qs: QuerySet[Cta], *, user: User, tam: User | None) -> QuerySet[Cta]:
    """The TAM's own CTAs; a manager's or admin's: one TAM's, or everyone's."""
    if permissions.is_manager(user):
        return qs.filter(account__tam=tam) if tam is not None else qs
    return qs.filter(account__tam=user)


def ctas_for_cockpit(
    *,
    user: User,
    state: str,
    tam: User | None = None,
    kind: str = "",
    account: Account | None = None,
    sort: str = "priority",
    account_filters: listing.AccountFilters | None = None,
    today: dt.date | None = None,
) -> QuerySet[Cta]:
    """A cockpit tab, filtered by kind, account and the account lists' filters (search, color,
    ...); open and snoozed CTAs sorted by priority (COLOR_RANK, ARR, age) or by an account
    column (accounts.listing sorts), done ones latest first."""
    states = {"open": [CtaState.OPEN], "snoozed": [CtaState.SNOOZED], "done": [CtaState.DONE, CtaState.DISMISSED]}[
        state
    ]
    qs = _cockpit_scope(
        Cta.objects.filter(state__in=states).select_related("account", "account__tam", "triage", "resolved_by"),
        user=user,
        tam=tam,
    )
    if kind:
        qs = qs.filter(kind=kind)
    if account is not None:
        qs = qs.filter(account=account)
    if account_filters is not None:
        qs = qs.filter(account_filters.q(today or clock.today(), "account__"))
    if state == "done":
        return qs.order_by("-resolved_on", "-pk")
    order = COCKPIT_SORTS.get(sort) or listing.sort_order(sort, "account__", default=COCKPIT_SORTS["priority"])
    return qs.annotate(color_rank=COLOR_RANK).order_by(*order)


def cockpit_accounts(*, user: User, tam: User | None = None) -> QuerySet[Account]:
    """The accounts the cockpit's account filter offers: those with a CTA in the user's scope."""
    ctas = _cockpit_scope(Cta.objects.all(), user=user, tam=tam)
    return Account.objects.filter(pk__in=ctas.values("account")).only("pk", "name", "external_id").order_by("name")


def cockpit_ctas_chosen(*, ids: list[int]) -> list[Cta]:
    """The CTAs chosen for a bulk action, as the cockpit shows them."""
    return list(Cta.objects.filter(pk__in=ids).select_related("account", "account__tam").order_by("pk"))


def cockpit_counts(
    *,
    user: User,
    tam: User | None = None,
    kind: str = "",
    account: Account | None = None,
    account_filters: listing.AccountFilters | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """How many CTAs each cockpit tab holds under the same filters (one query)."""
    qs = _cockpit_scope(Cta.objects.all(), user=user, tam=tam)
    if kind:
        qs = qs.filter(kind=kind)
    if account is not None:
        qs = qs.filter(account=account)
    if account_filters is not None:
        qs = qs.filter(account_filters.q(today or clock.today(), "account__"))
    counts = dict(qs.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {
        "open": counts.get(CtaState.OPEN, 0),
        "snoozed": counts.get(CtaState.SNOOZED, 0),
        "done": counts.get(CtaState.DONE, 0) + counts.get(CtaState.DISMISSED, 0),
    }


def tams_with_accounts() -> QuerySet[User]:
    return User.objects.filter(tam_accounts__isnull=False).distinct().order_by("username")


def account_panel(account: Account) -> dict:
    """The account page's triage panel: its open triage record and its open or snoozed CTAs."""
    return {
        "open_triage": TriageRecord.objects.filter(account=account, status=TriageStatus.OPEN)
        .select_related("owner")
        .first(),
        "ctas": list(
            Cta.objects.filter(account=account, state__in=ACTIVE_CTA_STATES)
            .select_related("account", "triage")
            .order_by("opened_on", "pk")
        ),
    }


# Open records: red before yellow before green. "HS::Red" > "HS::Yellow" > "HS::Green" does not
# sort, so order on the account's score, lowest first. Closed records: latest first.
OPEN_RECORDS_ORDER = (F("account__health_score").asc(nulls_first=True), "account__name", "pk")
CLOSED_RECORDS_ORDER = ("-closed_on", "-pk")


def triage_records(
    *,
    status: str,
    mine_for: User | None = None,
    account_filters: listing.AccountFilters | None = None,
    today: dt.date | None = None,
    sort: str = "",
) -> QuerySet[TriageRecord]:
    """The triage list: open or closed records, filtered by their account (the account lists'
    filters), in the status's order or by an account column."""
    qs = TriageRecord.objects.filter(status=status).select_related("account", "owner")
    if mine_for is not None:
        qs = qs.filter(account__tam=mine_for)
    if account_filters is not None:
        qs = qs.filter(account_filters.q(today or clock.today(), "account__"))
    default = OPEN_RECORDS_ORDER if status == TriageStatus.OPEN else CLOSED_RECORDS_ORDER
    return qs.order_by(*listing.sort_order(sort, "account__", default=default))


TRIAGE_CSV_HEADER = (
    "External id",
    "Account",
    "Color",
    "Score",
    "ARR",
    "Renewal date",
    "Risk",
    "Region label",
    "Classification",
    "Risk reasons",
    "Owner",
    "Opened",
    "Closed",
)


def triage_records_csv_rows(records: QuerySet[TriageRecord]):
    """The header, then one row per record in list order (the plan and notes stay out)."""
    yield TRIAGE_CSV_HEADER
    for record in records.iterator(chunk_size=2000):
        account = record.account
        owner = (record.owner.get_full_name() or record.owner.username) if record.owner else ""
        yield (
            csv_download.safe_text(account.external_id),
            csv_download.safe_text(account.name),
            rules.color_label(account.health_color),
            "" if account.health_score is None else str(account.health_score),
            f"{account.arr:.2f}",
            account.renewal_date.isoformat() if account.renewal_date else "",
            record.risk,
            record.region,
            record.classification,
            "; ".join(record.risk_reasons or []),
            csv_download.safe_text(owner),
            record.opened_on.isoformat(),
            record.closed_on.isoformat() if record.closed_on else "",
        )


def triage_record(pk: int) -> TriageRecord:
    return TriageRecord.objects.select_related("account", "account__tam", "owner", "opened_by", "closed_by").get(pk=pk)


def open_cta_count(user: User) -> int:
    return Cta.objects.filter(account__tam=user, state=CtaState.OPEN).count()
