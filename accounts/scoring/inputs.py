"""Set-based reads of the scorecard's inputs: every input for any number of accounts in a
constant number of queries, and the query forms of the pure rules in accounts.scoring.rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import (
    Account,
    Meeting,
    MeetingStatus,
    PlanStatus,
    ScorecardConfig,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import rules

RULE_FIELDS = tuple(rules.Rules.__dataclass_fields__)


def rules_by_segment() -> dict[str, rules.Rules]:
    """The admin-edited rules per segment (one query), falling back to the handbook defaults."""
    by_segment = dict(rules.DEFAULT_RULES)
    for config in ScorecardConfig.objects.all():
        by_segment[config.segment] = rules_from_config(config)
    return by_segment


def rules_from_config(config: ScorecardConfig) -> rules.Rules:
    return rules.Rules(**{name: getattr(config, name) for name in RULE_FIELDS})


# Per-account subqueries (correlated on the outer Account), shared by the scorecard and the
# TAM's pages so both read the same facts the same way.


def last_held_meeting(as_of: dt.date) -> Subquery:
    """The date of the account's latest held meeting on or before as_of."""
    return Subquery(
        Meeting.objects.filter(account=OuterRef("pk"), status=MeetingStatus.HELD, date__lte=as_of)
        .values("account")
        .annotate(last=Max("date"))
        .values("last")
    )


def tickets_opened(as_of: dt.date, days: int) -> Coalesce:
    """How many tickets the account opened in the `days` days ending on as_of (0 if none)."""
    start, end = rules.support_window(as_of, days)
    count = (
        SupportTicket.objects.filter(account=OuterRef("pk"), opened__gt=start, opened__lte=end)
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def latest_sentiment(as_of: dt.date) -> QuerySet[SentimentEntry]:
    """The account's sentiment entries on or before as_of, the one in force first."""
    return sentiment_in_force(SentimentEntry.objects.filter(account=OuterRef("pk")), as_of)


def accounts_with_scorecard_inputs(
    accounts: QuerySet[Account], as_of: dt.date, segment_rules: dict[str, rules.Rules] | None = None
) -> QuerySet[Account]:
    """Accounts annotated with every scorecard input as of a date: one query for any number."""
    segment_rules = segment_rules or rules_by_segment()
    # Each segment may configure its own support window.
    tickets = Case(
        *[
            When(segment=segment, then=tickets_opened(as_of, r.support_window_days))
            for segment, r in segment_rules.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    sentiment = latest_sentiment(as_of)
    return accounts.annotate(
        in_last_held=last_held_meeting(as_of),
        in_tickets=tickets,
        in_active_plan=Exists(SuccessPlan.objects.filter(account=OuterRef("pk"), status=PlanStatus.ACTIVE)),
        in_draft_plan=Exists(SuccessPlan.objects.filter(account=OuterRef("pk"), status=PlanStatus.DRAFT)),
        in_sentiment=Subquery(sentiment.values("color")[:1]),
        in_sentiment_date=Subquery(sentiment.values("date")[:1]),
    )


def inputs_from_annotated(account: Account) -> rules.Inputs:
    """The pure-function inputs of an account annotated by accounts_with_scorecard_inputs."""
    statuses = set()
    if account.in_active_plan:
        statuses.add(PlanStatus.ACTIVE.value)
    if account.in_draft_plan:
        statuses.add(PlanStatus.DRAFT.value)
    return rules.Inputs(
        segment=account.segment,
        arr=Decimal(account.arr),
        last_held_meeting=account.in_last_held,
        tickets_in_window=account.in_tickets,
        plan_statuses=frozenset(statuses),
        sentiment=account.in_sentiment,
        sentiment_date=account.in_sentiment_date,
    )


def scorecards_compute(
    accounts: QuerySet[Account], as_of: dt.date, segment_rules: dict[str, rules.Rules] | None = None
) -> list[tuple[Account, rules.Result]]:
    """Score the given accounts as of a date, read-only: two queries for any number of accounts."""
    segment_rules = segment_rules or rules_by_segment()
    annotated = accounts_with_scorecard_inputs(accounts, as_of, segment_rules)
    return [
        (account, rules.compute(inputs_from_annotated(account), segment_rules[account.segment], as_of))
        for account in annotated
    ]


def account_scorecard(account: Account, as_of: dt.date) -> rules.Result:
    """One account's scorecard as of a date."""
    [(_, result)] = scorecards_compute(Account.objects.filter(pk=account.pk), as_of)
    return result


# --- Query forms of the pure rules -----------------------------------------------------------


def sentiment_in_force(entries: QuerySet[SentimentEntry], as_of: dt.date) -> QuerySet[SentimentEntry]:
    """The entries that may be in force on as_of, the one in force first (rules.SENTIMENT_NEWEST_FIRST).
    A future-dated entry is never in force."""
    return entries.filter(date__lte=as_of).order_by(*rules.SENTIMENT_NEWEST_FIRST)


def account_sentiment_in_force(account: Account, as_of: dt.date) -> SentimentEntry | None:
    """One account's sentiment entry in force on as_of (None when it has none yet)."""
    return sentiment_in_force(account.sentiments.select_related("author"), as_of).first()


def last_cadence_call(as_of: dt.date) -> Subquery:
    """The date of the account's last cadence call (rules.CADENCE_KINDS, held) on or before as_of."""
    return Subquery(
        Meeting.objects.filter(
            account=OuterRef("pk"), status=rules.CADENCE_STATUS, kind__in=rules.CADENCE_KINDS, date__lte=as_of
        )
        .values("account")
        .annotate(last=Max("date"))
        .values("last")
    )


def stale_q(today: dt.date, prefix: str = "") -> Q:
    """rules.health_is_stale as a filter on Account (prefix e.g. "account__" from a related model)."""
    q = Q(**{f"{prefix}health_date__isnull": True})
    for segment in rules.FRESH_MONTHS:
        q |= Q(**{f"{prefix}segment": segment, f"{prefix}health_date__lt": rules.stale_before(segment, today)})
    return q
