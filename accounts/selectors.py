"""Reads for the accounts app: querysets with what their callers need already joined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

from accounts.models import (
    Account,
    HealthSnapshot,
    Meeting,
    PlanStatus,
    SentimentSource,
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
        Account.objects.annotate(
            last_held=inputs.last_held_meeting(today),
            recent_tickets=inputs.tickets_opened(today, RECENT_TICKET_DAYS),
            plan_status=Subquery(best_plan.values("status")[:1]),
            sentiment_color=Subquery(inputs.latest_sentiment(today).values("color")[:1]),
        )
        .prefetch_related(Prefetch("snapshots", queryset=trend.order_by("date"), to_attr="trend"))
        .order_by(F("health_score").asc(nulls_first=True), "name", "pk")
    )


def my_accounts(*, user, today: dt.date) -> QuerySet[Account]:
    """The accounts a TAM owns, riskiest first, annotated for "My accounts"."""
    return account_rows(today=today).filter(tam=user)


def my_accounts_health(*, user) -> list[Account]:
    """Just the health fields of a TAM's accounts (the counts above My accounts)."""
    return list(Account.objects.filter(tam=user).only("segment", "health_color", "health_date"))


def account_snapshots(*, account: Account, today: dt.date) -> list[HealthSnapshot]:
    """The account's stored scores over the last year, oldest first (the chart and history)."""
    since = today - dt.timedelta(days=CHART_DAYS)
    return list(
        account.snapshots.filter(date__gt=since, date__lte=today)
        .only("account_id", "date", "score", "color", "measures")
        .order_by("date")
    )


@dataclass(frozen=True)
class HistoryItem:
    """One change in the account's health: who, when, from -> to, why."""

    date: dt.date
    what: str  # "TAM Sentiment" or "Overall health"
    old: str | None
    new: str | None
    who: str
    why: str
    source: str = ""
    sort_rank: int = 0  # on one day, the overall change (1) is shown above the sentiment behind it (0)


def _person(user, source: str) -> str:
    if user is None:
        return "Import" if source == SentimentSource.IMPORT else "Unknown (user removed)"
    return user.get_full_name() or user.username


def account_history(*, account: Account, snapshots: list[HealthSnapshot], limit: int = 50) -> list[HistoryItem]:
    """TAM sentiment entries and overall color changes, newest first."""
    items = []
    # Only the newest `limit` entries can be shown; one more gives the oldest its "from" color.
    newest = list(account.sentiments.select_related("author").order_by(*rules.SENTIMENT_NEWEST_FIRST)[: limit + 1])
    entries = newest[::-1]
    previous = None
    if len(entries) > limit:
        previous, entries = entries[0].color, entries[1:]
    for entry in entries:
        items.append(
            HistoryItem(
                date=entry.date,
                what="TAM Sentiment",
                old=previous,
                new=entry.color,
                who=_person(entry.author, entry.source),
                why=entry.reason,
                source=entry.get_source_display(),
            )
        )
        previous = entry.color
    # The color in force when the window opens, so its first day is not taken for a first score.
    before = (
        account.snapshots.filter(date__lt=snapshots[0].date).only("date", "color", "measures").order_by("-date").first()
        if snapshots
        else None
    )
    for snap in snapshots:
        if before is None or snap.color != before.color:
            items.append(
                HistoryItem(
                    date=snap.date,
                    what="Overall health",
                    old=before.color if before else None,
                    new=snap.color,
                    who="Scorecard",
                    why=_measure_changes(before, snap),
                    sort_rank=1,
                )
            )
        before = snap
    items.sort(key=lambda item: (item.date, item.sort_rank), reverse=True)
    return items[:limit]


def _measure_changes(before: HealthSnapshot | None, after: HealthSnapshot) -> str:
    """Which measures moved between two snapshots, in words."""
    if before is None:
        return "First score on record" if after.score is not None else "Not enough data to score"
    changes = []
    for name in rules.MEASURES:
        old = (before.measures.get(name) or {}).get("color")
        new = (after.measures.get(name) or {}).get("color")
        if old != new:
            changes.append(f"{rules.LABELS[name]} {old or 'missing'} → {new or 'missing'}")
    return "; ".join(changes) if changes else "Scorecard rules or weights changed"


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
