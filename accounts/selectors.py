"""Reads for the accounts app: querysets with what their callers need already joined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts import scorecard
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
