"""Reads for the accounts app: querysets with what their callers need already joined."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform

from accounts.models import (
    Account,
    HealthSnapshot,
    Meeting,
    PlanStatus,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import inputs, rules


def account_list(*, user=None) -> QuerySet[Account]:
    """Accounts for the list pages, with the team joined."""
    qs = Account.objects.select_related("tam")
    if user is not None:
        qs = qs.filter(tam=user)
    return qs


# --- The TAM's pages: My accounts and the account page ----------------------------------

TREND_DAYS = 90  # the sparkline on My accounts
RECENT_TICKET_DAYS = 30
CHART_DAYS = 365  # the score chart and overall color changes on the account page
PLAN_RANK = Case(
    When(status=PlanStatus.ACTIVE, then=Value(0)),
    When(status=PlanStatus.DRAFT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def account_rows(*, today: dt.date) -> QuerySet[Account]:
    """Accounts with what a row of "My accounts" shows, riskiest first (unscored first, then the
    lowest score): one query plus one for the 90-day trend, whatever the number of accounts."""
    # The plan that says most about ROI: active over draft over closed.
    best_plan = SuccessPlan.objects.filter(account=OuterRef("pk")).order_by(PLAN_RANK, "-updated_at")
    trend = HealthSnapshot.objects.filter(
        date__gt=today - dt.timedelta(days=TREND_DAYS), date__lte=today, score__isnull=False
    ).only("account_id", "date", "score", "color")
    return (
        # The last held meeting and the sentiment in force are on the account (the engine's
        # read model, as of its latest score); the rest is read for these rows only.
        Account.objects.annotate(
            last_held=F("last_meeting_on"),
            recent_tickets=inputs.tickets_opened(today, RECENT_TICKET_DAYS),
            plan_status=Subquery(best_plan.values("status")[:1]),
        )
        .prefetch_related(Prefetch("snapshots", queryset=trend.order_by("date"), to_attr="trend"))
        .order_by(*MY_ACCOUNTS_ORDER)
    )


# "My accounts", riskiest first: unscored, then the lowest score.
MY_ACCOUNTS_ORDER = (F("health_score").asc(nulls_first=True), "name", "pk")


def my_accounts(*, user, today: dt.date) -> QuerySet[Account]:
    """The accounts a TAM owns, riskiest first, annotated for "My accounts"."""
    return account_rows(today=today).filter(tam=user)


def my_accounts_health(*, user) -> list[Account]:
    """Just the health fields of a TAM's accounts (the counts above My accounts)."""
    return list(Account.objects.filter(tam=user).only("segment", "health_color", "health_date"))


# The override a snapshot recorded (accounts.scoring.inputs.OverrideInForce.record), or None.
SNAPSHOT_OVERRIDE = KeyTransform("override", "inputs")


def account_snapshots(*, account: Account, today: dt.date) -> list[HealthSnapshot]:
    """The account's stored scores over the last year, oldest first (the chart and history)."""
    since = today - dt.timedelta(days=CHART_DAYS)
    return list(
        account.snapshots.filter(date__gt=since, date__lte=today)
        .only("account_id", "date", "score", "color", "measures", "config_version_id")
        .annotate(override=SNAPSHOT_OVERRIDE)
        .order_by("date")
    )


def account_meetings(*, account: Account, limit: int = 10) -> list[Meeting]:
    return list(account.meetings.select_related("logged_by").order_by("-date", "-id")[:limit])


def account_tickets(*, account: Account, today: dt.date, limit: int = 10) -> dict:
    """Open tickets first, then the most recent; with the count opened in the last 30 days."""
    start, end = rules.support_window(today, RECENT_TICKET_DAYS)
    open_first = Case(When(status__in=SupportTicket.OPEN_STATUSES, then=Value(0)), default=Value(1))
    tickets = account.tickets.order_by(open_first, "-opened", "-id")
    counts = account.tickets.aggregate(
        recent_count=Count("pk", filter=Q(opened__gt=start, opened__lte=end)),
        open_count=Count("pk", filter=Q(status__in=SupportTicket.OPEN_STATUSES)),
    )
    return {**counts, "items": list(tickets[:limit])}


def account_plans(*, account: Account) -> list[SuccessPlan]:
    return list(account.success_plans.order_by(PLAN_RANK, "-updated_at"))
