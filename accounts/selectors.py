"""Reads for the accounts app: querysets with what their callers need already joined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts import scorecard
from accounts.models import (
    Account,
    HealthSnapshot,
    Meeting,
    MeetingStatus,
    PlanStatus,
    ScorecardConfig,
    SentimentEntry,
    SentimentSource,
    SuccessPlan,
    SupportTicket,
)

RULE_FIELDS = tuple(scorecard.Rules.__dataclass_fields__)


def rules_by_segment() -> dict[str, scorecard.Rules]:
    """The admin-edited rules per segment (one query), falling back to the handbook defaults."""
    rules = dict(scorecard.DEFAULT_RULES)
    for config in ScorecardConfig.objects.all():
        rules[config.segment] = rules_from_config(config)
    return rules


def rules_from_config(config: ScorecardConfig) -> scorecard.Rules:
    return scorecard.Rules(**{name: getattr(config, name) for name in RULE_FIELDS})


def accounts_with_scorecard_inputs(
    accounts: QuerySet[Account], as_of: dt.date, rules: dict[str, scorecard.Rules] | None = None
) -> QuerySet[Account]:
    """Accounts annotated with every scorecard input as of a date: one query for any number."""
    rules = rules or rules_by_segment()
    last_held = (
        Meeting.objects.filter(account=OuterRef("pk"), status=MeetingStatus.HELD, date__lte=as_of)
        .values("account")
        .annotate(last=Max("date"))
        .values("last")
    )

    def tickets_in_window(days: int):
        start, end = scorecard.support_window(as_of, days)
        count = (
            SupportTicket.objects.filter(account=OuterRef("pk"), opened__gt=start, opened__lte=end)
            .values("account")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))

    # Each segment may configure its own support window.
    tickets = Case(
        *[When(segment=segment, then=tickets_in_window(r.support_window_days)) for segment, r in rules.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    latest_sentiment = SentimentEntry.objects.filter(account=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-created_at", "-pk"
    )
    return accounts.annotate(
        in_last_held=Subquery(last_held),
        in_tickets=tickets,
        in_active_plan=Exists(SuccessPlan.objects.filter(account=OuterRef("pk"), status=PlanStatus.ACTIVE)),
        in_draft_plan=Exists(SuccessPlan.objects.filter(account=OuterRef("pk"), status=PlanStatus.DRAFT)),
        in_sentiment=Subquery(latest_sentiment.values("color")[:1]),
        in_sentiment_date=Subquery(latest_sentiment.values("date")[:1]),
    )


def inputs_from_annotated(account: Account) -> scorecard.Inputs:
    """The pure-function inputs of an account annotated by accounts_with_scorecard_inputs."""
    statuses = set()
    if account.in_active_plan:
        statuses.add(PlanStatus.ACTIVE.value)
    if account.in_draft_plan:
        statuses.add(PlanStatus.DRAFT.value)
    return scorecard.Inputs(
        segment=account.segment,
        arr=Decimal(account.arr),
        last_held_meeting=account.in_last_held,
        tickets_in_window=account.in_tickets,
        plan_statuses=frozenset(statuses),
        sentiment=account.in_sentiment,
        sentiment_date=account.in_sentiment_date,
    )


def scorecards_compute(
    accounts: QuerySet[Account], as_of: dt.date, rules: dict[str, scorecard.Rules] | None = None
) -> list[tuple[Account, scorecard.Result]]:
    """Score the given accounts as of a date, read-only: two queries for any number of accounts."""
    rules = rules or rules_by_segment()
    annotated = accounts_with_scorecard_inputs(accounts, as_of, rules)
    return [
        (account, scorecard.compute(inputs_from_annotated(account), rules[account.segment], as_of))
        for account in annotated
    ]


def account_scorecard(account: Account, as_of: dt.date) -> scorecard.Result:
    """One account's scorecard as of a date."""
    [(_, result)] = scorecards_compute(Account.objects.filter(pk=account.pk), as_of)
    return result


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
    start, end = scorecard.support_window(today, RECENT_TICKET_DAYS)
    last_held = (
        Meeting.objects.filter(account=OuterRef("pk"), status=MeetingStatus.HELD, date__lte=today)
        .values("account")
        .annotate(last=Max("date"))
        .values("last")
    )
    tickets = (
        SupportTicket.objects.filter(account=OuterRef("pk"), opened__gt=start, opened__lte=end)
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The plan that says most about ROI: active over draft over closed.
    best_plan = SuccessPlan.objects.filter(account=OuterRef("pk")).order_by(PLAN_RANK, "-updated_at")
    latest_sentiment = SentimentEntry.objects.filter(account=OuterRef("pk"), date__lte=today).order_by(
        "-date", "-created_at", "-pk"
    )
    trend = HealthSnapshot.objects.filter(
        date__gt=today - dt.timedelta(days=TREND_DAYS), date__lte=today, score__isnull=False
    ).only("account_id", "date", "score", "color")
    return (
        Account.objects.annotate(
            last_held=Subquery(last_held),
            recent_tickets=Coalesce(Subquery(tickets, output_field=IntegerField()), Value(0)),
            plan_status=Subquery(best_plan.values("status")[:1]),
            sentiment_color=Subquery(latest_sentiment.values("color")[:1]),
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
    previous = None
    for entry in account.sentiments.select_related("author").order_by("date", "created_at", "pk"):
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
    before = None
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
    for name in scorecard.MEASURES:
        old = (before.measures.get(name) or {}).get("color")
        new = (after.measures.get(name) or {}).get("color")
        if old != new:
            changes.append(f"{scorecard.LABELS[name]} {old or 'missing'} → {new or 'missing'}")
    return "; ".join(changes) if changes else "Scorecard rules or weights changed"


def account_meetings(*, account: Account, limit: int = 10) -> list[Meeting]:
    return list(account.meetings.select_related("logged_by").order_by("-date", "-id")[:limit])


def account_tickets(*, account: Account, today: dt.date, limit: int = 10) -> dict:
    """Open tickets first, then the most recent; with the count opened in the last 30 days."""
    start, end = scorecard.support_window(today, RECENT_TICKET_DAYS)
    open_first = Case(When(status__in=SupportTicket.OPEN_STATUSES, then=Value(0)), default=Value(1))
    tickets = account.tickets.order_by(open_first, "-opened", "-id")
    counts = account.tickets.aggregate(
        recent_count=Count("pk", filter=Q(opened__gt=start, opened__lte=end)),
        open_count=Count("pk", filter=Q(status__in=SupportTicket.OPEN_STATUSES)),
    )
    return {**counts, "items": list(tickets[:limit])}


def account_plans(*, account: Account) -> list[SuccessPlan]:
    return list(account.success_plans.order_by(PLAN_RANK, "-updated_at"))
