"""Reads for the triage app: querysets with what their pages and jobs need already joined."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Count, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Account, HealthChange
from accounts.scoring import inputs as scoring_inputs
from healthscore import permissions
from triage.models import (
    ACTIVE_CTA_STATES,
    Cta,
    CtaState,
    Risk,
    TriageRecord,
    TriageStatus,
)


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


def ctas_for_cockpit(*, user: User, state: str, tam: User | None = None) -> QuerySet[Cta]:
    """A cockpit tab: CTAs of the TAM's accounts (a manager or admin may look at any TAM's, or all)."""
    states = {"open": [CtaState.OPEN], "snoozed": [CtaState.SNOOZED], "done": [CtaState.DONE, CtaState.DISMISSED]}[
        state
    ]
    qs = Cta.objects.filter(state__in=states).select_related("account", "account__tam", "triage", "resolved_by")
    if permissions.is_manager(user):
        if tam is not None:
            qs = qs.filter(account__tam=tam)
    else:
        qs = qs.filter(account__tam=user)
    if state == "done":
        return qs.order_by("-resolved_on", "-pk")
    if state == "snoozed":
        return qs.order_by("snoozed_until", "pk")
    return qs.order_by("opened_on", "pk")


def cockpit_counts(*, user: User, tam: User | None = None) -> dict[str, int]:
    """How many CTAs each cockpit tab holds (one query)."""
    qs = Cta.objects.all()
    if permissions.is_manager(user):
        if tam is not None:
            qs = qs.filter(account__tam=tam)
    else:
        qs = qs.filter(account__tam=user)
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


def triage_records(*, status: str, mine_for: User | None = None) -> QuerySet[TriageRecord]:
    """The triage list: open (highest risk first) or closed (latest first) records."""
    qs = TriageRecord.objects.filter(status=status).select_related("account", "owner")
    if mine_for is not None:
        qs = qs.filter(account__tam=mine_for)
    if status == TriageStatus.OPEN:
        # Red before yellow before green: "HS::Red" > "HS::Yellow" > "HS::Green" does not sort,
        # so order on the account's score, lowest first.
        return qs.order_by(F("account__health_score").asc(nulls_first=True), "account__name")
    return qs.order_by("-closed_on", "-pk")


def triage_record(pk: int) -> TriageRecord:
    return TriageRecord.objects.select_related("account", "account__tam", "owner", "opened_by", "closed_by").get(pk=pk)


def open_cta_count(user: User) -> int:
    return Cta.objects.filter(account__tam=user, state=CtaState.OPEN).count()
