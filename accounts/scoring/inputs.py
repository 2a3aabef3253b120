"""Set-based reads of the scorecard's inputs: every input for any number of accounts in a
constant number of queries, and the query forms of the pure rules in accounts.scoring.rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from accounts.models import (
    Account,
    DataFeed,
    FeedSync,
    HealthOverride,
    Meeting,
    MeetingStatus,
    OverrideStatus,
    PlanStatus,
    ScorecardConfig,
    ScorecardVersion,
    SentimentEntry,
    SentimentSource,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import rules

RULE_FIELDS = tuple(rules.Rules.__dataclass_fields__)


class SegmentRules(dict):
    """The rules per segment, and `versions`: per segment the id of the ScorecardVersion that
    records exactly those rules (None: a segment on the code's defaults, or rules changed
    without a version), which the engine stores on every snapshot."""

    def __init__(self, by_segment: dict[str, rules.Rules], versions: dict[str, int | None]):
        super().__init__(by_segment)
        self.versions = versions


def rules_by_segment() -> SegmentRules:
    """The admin-edited rules per segment and their versions (one query), falling back to the
    handbook defaults."""
    by_segment = dict(rules.DEFAULT_RULES)
    versions: dict[str, int | None] = dict.fromkeys(by_segment)
    latest = ScorecardVersion.objects.filter(segment=OuterRef("segment")).order_by("-number")
    for config in ScorecardConfig.objects.annotate(
        version_id=Subquery(latest.values("pk")[:1]),
        version_values=Subquery(latest.values("values")[:1], output_field=JSONField()),
    ):
        by_segment[config.segment] = config_rules = rules_from_config(config)
        # A version names the rules only if it records them (a config saved around the admin's
        # apply, e.g. by a script, leaves its snapshots unversioned rather than misattributed).
        recorded = config.version_values is not None and rules.Rules.from_dict(config.version_values) == config_rules
        versions[config.segment] = config.version_id if recorded else None
    return SegmentRules(by_segment, versions)


def rules_from_config(config: ScorecardConfig) -> rules.Rules:
    return rules.Rules(**{name: getattr(config, name) for name in RULE_FIELDS})


# --- The engine's read: every input of a set of accounts as plain rows ----------------------
# One GROUP BY (or window) query per input over the accounts' id range or id list, each served
# by an index that leads with the account: no correlated subquery, no model instance per row.


@dataclass(frozen=True, slots=True)
class AccountSet:
    """Which accounts a read covers: a contiguous id range (a chunk of all accounts) or a list."""

    lo: int = 0
    hi: int = 0
    ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, ids: list[int], *, whole: bool = False) -> AccountSet:
        """Sorted, distinct ids as a range when they fill it (a chunk of all accounts, `whole`;
        an import's new accounts): no other account can be in it, and a range reads cheaper
        than a long IN list. Otherwise the ids themselves."""
        if whole or ids[-1] - ids[0] + 1 == len(ids):
            return cls(ids[0], ids[-1])
        return cls(ids=tuple(ids))

    def filter(self, field: str = "account_id") -> dict:
        if self.ids is not None:
            return {f"{field}__in": self.ids}
        return {f"{field}__gte": self.lo, f"{field}__lte": self.hi}


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """One account's scorecard inputs as of a date, as the pure rules take them."""

    account_id: int
    segment: str
    arr: Decimal
    last_held: dt.date | None
    tickets: int
    active_plan: bool
    draft_plan: bool
    sentiment: str | None
    sentiment_date: dt.date | None
    # Not a scorecard input: the TAM's latest written reason, which the lists show beside the color.
    reason: str = ""
    # Not scorecard inputs either: when each measure's data was last refreshed (the confidence).
    meetings_refreshed: dt.date | None = None
    plan_touched: dt.date | None = None
    tickets_synced: dt.date | None = None

    def compute(self, segment_rules: rules.Rules, as_of: dt.date) -> rules.Result:
        return rules.compute_values(
            segment_rules,
            as_of,
            arr=self.arr,
            last_held=self.last_held,
            tickets=self.tickets,
            active_plan=self.active_plan,
            draft_plan=self.draft_plan,
            sentiment=self.sentiment,
            sentiment_date=self.sentiment_date,
        )

    def refreshed(self) -> dict[str, dt.date | None]:
        """When each measure's data was last refreshed, as rules.confidence takes it."""
        return {
            "engagement": self.meetings_refreshed,
            "roi": self.plan_touched,
            "support": self.tickets_synced,
            "sentiment": self.sentiment_date,
        }

    def confidence(self, result: rules.Result, segment_rules: rules.Rules) -> rules.Confidence | None:
        return rules.confidence(result, self.refreshed(), self.segment, segment_rules)


def read_inputs(
    accounts: list[tuple[int, str, Decimal]],
    which: AccountSet,
    as_of: dt.date,
    segment_rules: dict[str, rules.Rules],
) -> list[ScoreInputs]:
    """The inputs of `accounts` ((id, segment, arr) rows, all inside `which`) as of a date, in
    six queries whatever their number (one more per extra support window length)."""
    # Timestamps count up to the end of as_of (UTC): a backfill sees only what existed then.
    end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    # Meetings, one pass: the latest held on or before as_of (Engagement) and the latest recorded
    # (any status, logged or imported) by the end of as_of (confidence: when meeting data came).
    last_held: dict[int, dt.date] = {}
    meeting_recorded: dict[int, dt.date] = {}
    for account_id, held, recorded in (
        Meeting.objects.filter(**which.filter())
        .values("account_id")
        .annotate(
            held=Max("date", filter=Q(status=MeetingStatus.HELD, date__lte=as_of)),
            recorded=_day(Max("created_at", filter=Q(created_at__lt=end_of_day))),
        )
        .values_list("account_id", "held", "recorded")
        .order_by()
    ):
        if held is not None:
            last_held[account_id] = held
        if recorded is not None:
            meeting_recorded[account_id] = recorded
    tickets_by_window = {}
    for days in {r.support_window_days for r in segment_rules.values()}:
        start, end = rules.support_window(as_of, days)
        tickets_by_window[days] = dict(
            SupportTicket.objects.filter(**which.filter(), opened__gt=start, opened__lte=end)
            .values("account_id")
            .annotate(n=Count("pk"))
            .values_list("account_id", "n")
            .order_by()
        )
    # Plans: the statuses (ROI) and when a plan was last touched on or before as_of (confidence).
    plans = set()
    plan_touched: dict[int, dt.date] = {}
    for account_id, status, touched in (
        SuccessPlan.objects.filter(**which.filter())
        .values_list("account_id", "status")
        .annotate(touched=_day(Max("updated_at", filter=Q(updated_at__lt=end_of_day))))
        .order_by()
    ):
        plans.add((account_id, status))
        if touched is not None:
            plan_touched[account_id] = max(touched, plan_touched.get(account_id, touched))
    # Confidence: the last import of each feed (global: an import covers every account).
    synced = {
        feed: at.date()
        for feed, at in FeedSync.objects.filter(synced_at__lt=end_of_day).values_list("feed", "synced_at")
    }
    meetings_synced = synced.get(DataFeed.MEETINGS.value)
    tickets_synced = synced.get(DataFeed.TICKETS.value)
    sentiments, reasons = _sentiments_read(which, as_of)
    active, draft = PlanStatus.ACTIVE.value, PlanStatus.DRAFT.value
    rows = []
    for account_id, segment, arr in accounts:
        sentiment, sentiment_date = sentiments.get(account_id, (None, None))
        rows.append(
            ScoreInputs(
                account_id,
                segment,
                arr,
                last_held.get(account_id),
                tickets_by_window[segment_rules[segment].support_window_days].get(account_id, 0),
                (account_id, active) in plans,
                (account_id, draft) in plans,
                sentiment,
                sentiment_date,
                reasons.get(account_id, ""),
                _latest(meeting_recorded.get(account_id), meetings_synced),
                plan_touched.get(account_id),
                tickets_synced,
            )
        )
    return rows


def _sentiments_read(which: AccountSet, as_of: dt.date) -> tuple[dict[int, tuple], dict[int, str]]:
    """Per account, the sentiment in force on as_of as (color, date), and the TAM's latest written
    reason (the newest entry with a reason of its own: a "confirmed current" entry repeats the
    color, not the why), in one pass over the entries newest first.

    The pass walks the (account, date, created_at) index backwards (accounts in descending order,
    which nothing here depends on): SQLite sorts nothing, PostgreSQL only ties within an account.
    Each account's first entry is the one in force. Two window functions ranking the same rows
    took three times as long on SQLite (two sorts of every entry of the chunk, 0.9 s against
    0.3 s per 100,000 accounts). The pass reads every entry up to as_of, so its cost grows with
    an account's history (about 2 entries each in the benchmark; at 50 each, PostgreSQL's read
    was a quarter slower than the windows', SQLite's still faster)."""
    sentiments: dict[int, tuple] = {}
    reasons: dict[int, str] = {}
    confirmation = SentimentSource.CONFIRMATION.value
    for account_id, color, date, source, reason in (
        sentiment_in_force(SentimentEntry.objects.filter(**which.filter()), as_of)
        .order_by("-account_id", *rules.SENTIMENT_NEWEST_FIRST)
        .values_list("account_id", "color", "date", "source", "reason")
    ):
        if account_id not in sentiments:
            sentiments[account_id] = (color, date)
        if reason and source != confirmation and account_id not in reasons:
            reasons[account_id] = reason
    return sentiments, reasons


def _day(timestamp) -> Cast:
    """A timestamp's day (UTC, the connection's time zone) computed by the database: a date
    converts in Python far cheaper than a timestamp (parsed, made aware, then cut to its day)."""
    return Cast(timestamp, DateField())


def _latest(*dates: dt.date | None) -> dt.date | None:
    return max((d for d in dates if d is not None), default=None)


@dataclass(frozen=True, slots=True)
class OverrideInForce:
    """An account's override in force on a date, as the engine applies and records it."""

    override_id: int
    color: str
    reason: str
    expires_on: dt.date
    by: str  # who put it in force (its owner), by name

    def record(self, computed_color: str | None) -> dict:
        """Stored in the snapshot's inputs: the history says "override", who, why, until when."""
        return {
            "id": self.override_id,
            "color": self.color,
            "reason": self.reason,
            "until": self.expires_on.isoformat(),
            "by": self.by,
            "computed_color": computed_color,
        }


def overrides_in_force(which: AccountSet, as_of: dt.date) -> dict[int, OverrideInForce]:
    """The accounts' overrides in force on as_of (rules.override_in_force), by account: one
    query per chunk, served by the partial index of active overrides."""
    rows = (
        HealthOverride.objects.filter(
            **which.filter(), status=OverrideStatus.ACTIVE, starts_on__lte=as_of, expires_on__gte=as_of
        )
        .values_list(
            "account_id",
            "pk",
            "color",
            "reason",
            "expires_on",
            "approved_by__first_name",
            "approved_by__last_name",
            "approved_by__username",
        )
        .order_by()
    )
    return {
        account_id: OverrideInForce(pk, color, reason, expires_on, person_name(first, last, username))
        for account_id, pk, color, reason, expires_on, first, last, username in rows
    }


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    """A user's name as User.get_full_name() or the username gives it, from plain columns."""
    full = f"{first or ''} {last or ''}".strip()
    return full or username or "Unknown (user removed)"


def scorecards_compute(
    accounts: QuerySet[Account], as_of: dt.date, segment_rules: dict[str, rules.Rules] | None = None
) -> list[tuple[Account, rules.Result]]:
    """Score the given accounts as of a date, read-only, with the engine's read (a fixed number
    of queries for any number of accounts)."""
    return [(account, result) for account, result, _ in scorecards_explain(accounts, as_of, segment_rules)]


def scorecards_explain(
    accounts: QuerySet[Account], as_of: dt.date, segment_rules: dict[str, rules.Rules] | None = None
) -> list[tuple[Account, rules.Result, rules.Confidence | None]]:
    """scorecards_compute, each scorecard with its confidence (how much of it rests on fresh data)."""
    segment_rules = segment_rules or rules_by_segment()
    accounts = list(accounts.order_by("pk"))
    if not accounts:
        return []
    which = AccountSet(ids=tuple(a.pk for a in accounts))
    rows = read_inputs([(a.pk, a.segment, Decimal(a.arr)) for a in accounts], which, as_of, segment_rules)
    explained = []
    for account, row in zip(accounts, rows, strict=True):
        result = row.compute(segment_rules[account.segment], as_of)
        explained.append((account, result, row.confidence(result, segment_rules[account.segment])))
    return explained


def account_scorecard(account: Account, as_of: dt.date) -> rules.Result:
    """One account's scorecard as of a date."""
    [(_, result)] = scorecards_compute(Account.objects.filter(pk=account.pk), as_of)
    return result


# --- Per-account subqueries for the pages (the TAM's rows show the same facts) ----------------


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
