"""Renewals: the accounts renewing in the next 30, 90 or 180 days, riskiest first, with their
color and score, how those moved over the last 30 days, ARR and open triage.

The handbook: account health feeds open renewal opportunities. A TAM sees their own accounts,
managers and admins every account; the list's filters are every account list's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts import list_csv, listing
from accounts.models import Account, Color, HealthSnapshot, Segment
from accounts.scoring import rules
from dashboard.selectors.rows import DASHBOARD_ORDER
from healthscore import csv_download, permissions

DEFAULT_WINDOW = 90
TREND_DAYS = 30  # the trend compares with the stored snapshot of 30 days ago
# A missing snapshot that day (a day the job did not run) falls back to the latest of the week before.
TREND_SLACK_DAYS = 7
_MONEY = DecimalField(max_digits=16, decimal_places=2)
RENEWALS_ORDER = DASHBOARD_ORDER  # riskiest first: lowest score, then the largest ARR


@dataclass(frozen=True)
class Trend:
    """The color and score of TREND_DAYS ago, and the change of the score since."""

    color: str | None
    score: Decimal | None
    change: Decimal | None  # current score minus the old one; None when either is missing


def renewal_accounts(*, filters: listing.AccountFilters, within: int, today: dt.date, user) -> QuerySet[Account]:
    """The accounts renewing between today and `within` days ahead that the user follows."""
    qs = Account.objects.filter(filters.q(today), listing.renewal_q(today, within))
    if not permissions.is_manager(user):
        qs = qs.filter(tam=user)
    return qs


def renewal_totals(accounts: QuerySet[Account]) -> dict:
    """How many accounts renew, their ARR and the ARR of the yellow and red ones: one query."""
    return accounts.aggregate(
        n=Count("pk"),
        total_arr=Coalesce(Sum("arr"), Value(Decimal(0)), output_field=_MONEY),
        at_risk=Coalesce(
            Sum("arr", filter=Q(health_color__in=(Color.YELLOW, Color.RED))), Value(Decimal(0)), output_field=_MONEY
        ),
    )


def renewals_order(accounts: QuerySet[Account], sort: str = "") -> QuerySet[Account]:
    return accounts.order_by(*listing.sort_order(sort, default=RENEWALS_ORDER))


def _trends(ids: list[int], today: dt.date) -> dict[int, tuple[str | None, Decimal | None]]:
    """The latest snapshot on or before TREND_DAYS ago (within a week) per account: one query."""
    then = today - dt.timedelta(days=TREND_DAYS)
    found: dict[int, tuple[str | None, Decimal | None]] = {}
    for account_id, color, score in (
        HealthSnapshot.objects.filter(
            account_id__in=ids, date__lte=then, date__gt=then - dt.timedelta(days=TREND_SLACK_DAYS)
        )
        .order_by("account_id", "-date")
        .values_list("account_id", "color", "score")
    ):
        found.setdefault(account_id, (color, score))
    return found


def renewal_rows(ids: list[int], today: dt.date) -> list[Account]:
    """The accounts with these ids, in this order, each with .trend, .open_triage and
    .renews_in (days): two queries whatever the page size."""
    accounts = Account.objects.filter(pk__in=ids).select_related("tam")
    open_triage = listing.flag_annotation("open_triage")
    if open_triage is not None:
        accounts = accounts.annotate(open_triage=open_triage)
    by_id = {account.pk: account for account in accounts}
    trends = _trends(ids, today)
    rows = []
    for pk in ids:
        account = by_id.get(pk)
        if account is None:
            continue
        old_color, old_score = trends.get(pk, (None, None))
        change = None
        if old_score is not None and account.health_score is not None:
            change = account.health_score - old_score
        account.trend = Trend(color=old_color, score=old_score, change=change)
        account.renews_in = (account.renewal_date - today).days
        account.open_triage = getattr(account, "open_triage", False)
        rows.append(account)
    return rows


CSV_HEADER = (
    "External id",
    "Name",
    "Segment",
    "Region",
    "Renewal date",
    "Days to renewal",
    "Color",
    "Score",
    f"Color {TREND_DAYS} days ago",
    f"Score change over {TREND_DAYS} days",
    "ARR",
    "TAM",
    "Open triage",
    *list_csv.OVERRIDE_CSV_HEADER,
)
CSV_CHUNK = 2000


def renewals_csv_rows(accounts: QuerySet[Account], today: dt.date, sort: str = ""):
    """The header, then one row per account in list order, read chunk by chunk."""
    yield CSV_HEADER
    segments = dict(Segment.choices)
    ids = list(renewals_order(accounts, sort).values_list("pk", flat=True))
    for start in range(0, len(ids), CSV_CHUNK):
        for account in renewal_rows(ids[start : start + CSV_CHUNK], today):
            tam = account.tam.get_full_name() or account.tam.username if account.tam else ""
            change = account.trend.change
            yield (
                csv_download.safe_text(account.external_id),
                csv_download.safe_text(account.name),
                segments.get(account.segment, account.segment),
                account.region,
                account.renewal_date.isoformat(),
                str(account.renews_in),
                rules.color_label(account.health_color),
                "" if account.health_score is None else str(account.health_score),
                rules.color_label(account.trend.color) if account.trend.score is not None else "",
                "" if change is None else f"{change:+}",
                f"{account.arr:.2f}",
                csv_download.safe_text(tam),
                "yes" if account.open_triage else "no",
                *list_csv.override_csv_cells(*(getattr(account, column) for column in list_csv.OVERRIDE_COLUMNS)),
            )
