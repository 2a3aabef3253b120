"""Reads for the accounts app: querysets with what their callers need already joined."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    JSONField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import (
    Account,
    Color,
    HealthSnapshot,
    Meeting,
    PlanStatus,
    Segment,
    SentimentEntry,
    SentimentSource,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import inputs, rules
from healthscore import permissions


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


# --- Manager risk dashboard ----------------------------------------------------------------
# Every dashboard read applies the same DashboardFilters (to Account, or through a snapshot's
# account), so the totals, the breakdowns, the list, the chart and the CSV always agree.

UNSCORED = "none"  # the filter and breakdown key for accounts without a color yet
NO_TAM = "none"  # the TAM filter and breakdown key for accounts without a TAM
DASHBOARD_COLORS = (Color.RED.value, Color.YELLOW.value, Color.GREEN.value, UNSCORED)
# Worst first: red, yellow, unscored, green (an unscored account is a blind spot, not a success).
COLOR_RANK = {Color.RED.value: 0, Color.YELLOW.value: 1, UNSCORED: 2, Color.GREEN.value: 3}
WEEKS_IN_CHART = 12
RECENT_CHANGE_DAYS = 7
RECENT_CHANGES_SHOWN = 25


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's filters; None means "any". tam=0 means accounts without a TAM."""

    region: str | None = None
    segment: str | None = None
    tam: int | None = None
    color: str | None = None  # "green", "yellow", "red" or UNSCORED
    public_sector: bool | None = None
    stale: bool | None = None

    def q(self, today: dt.date, prefix: str = "") -> Q:
        """The filters as a condition on Account, or on a model pointing at it (prefix "account__")."""
        condition = Q()
        if self.region:
            condition &= Q(**{f"{prefix}region": self.region})
        if self.segment:
            condition &= Q(**{f"{prefix}segment": self.segment})
        if self.tam is not None:
            condition &= Q(**{f"{prefix}tam__isnull": True}) if self.tam == 0 else Q(**{f"{prefix}tam": self.tam})
        if self.color:
            condition &= _color_q(self.color, prefix)
        if self.public_sector is not None:
            condition &= Q(**{f"{prefix}public_sector": self.public_sector})
        if self.stale is not None:
            stale = inputs.stale_q(today, prefix)
            condition &= stale if self.stale else ~stale
        return condition


def _color_q(color: str, prefix: str = "") -> Q:
    if color == UNSCORED:
        return Q(**{f"{prefix}health_color__isnull": True})
    return Q(**{f"{prefix}health_color": color})


def dashboard_accounts(filters: DashboardFilters, today: dt.date) -> QuerySet[Account]:
    """The accounts the dashboard shows, filtered (current health, current team)."""
    return Account.objects.filter(filters.q(today))


_MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class ColorCount:
    color: str  # "green", "yellow", "red" or UNSCORED
    count: int
    arr: Decimal

    @property
    def label(self) -> str:
        return rules.color_label(self.color)


@dataclass(frozen=True)
class ColorTotals:
    """Accounts and ARR per color for a set of accounts (one row of a breakdown, or the totals)."""

    key: str | None  # the filter value of the row's region, segment or TAM; None for the totals
    label: str
    colors: tuple[ColorCount, ...]  # in DASHBOARD_COLORS order
    stale: int = 0

    @property
    def accounts(self) -> int:
        return sum(c.count for c in self.colors)

    @property
    def arr(self) -> Decimal:
        return sum((c.arr for c in self.colors), Decimal(0))

    @property
    def arr_at_risk(self) -> Decimal:
        """ARR of the yellow and red accounts."""
        return sum((c.arr for c in self.colors if c.color in (Color.YELLOW, Color.RED)), Decimal(0))

    def color(self, color: str) -> ColorCount:
        return next(c for c in self.colors if c.color == color)


@dataclass(frozen=True)
class DashboardSummary:
    totals: ColorTotals
    by_region: list[ColorTotals]
    by_segment: list[ColorTotals]
    by_tam: list[ColorTotals]  # by name, "No TAM" last


class _Rollup:
    """Sums of the per-group aggregates, for one key (a region, a segment, a TAM, or all)."""

    def __init__(self, key: str | None, label: str):
        self.key, self.label = key, label
        self.counts = dict.fromkeys(DASHBOARD_COLORS, 0)
        self.arr = {color: Decimal(0) for color in DASHBOARD_COLORS}
        self.stale = 0

    def add(self, row: dict) -> None:
        for color in DASHBOARD_COLORS:
            self.counts[color] += row[f"count_{color}"]
            self.arr[color] += Decimal(row[f"arr_{color}"])
        self.stale += row["stale"]

    def totals(self) -> ColorTotals:
        colors = tuple(ColorCount(c, self.counts[c], self.arr[c]) for c in DASHBOARD_COLORS)
        return ColorTotals(key=self.key, label=self.label, colors=colors, stale=self.stale)


def dashboard_summary(accounts: QuerySet[Account], today: dt.date) -> DashboardSummary:
    """Accounts and ARR by color, ARR at risk and stale health scores: in total and by region,
    segment and TAM. One GROUP BY (region, segment, TAM) query, rolled up here: at most
    regions x segments x TAMs groups, whatever the number of accounts."""
    aggregates = {}
    for color in DASHBOARD_COLORS:
        condition = _color_q(color)
        aggregates[f"count_{color}"] = Count("pk", filter=condition)
        aggregates[f"arr_{color}"] = Coalesce(Sum("arr", filter=condition), Value(Decimal(0)), output_field=_MONEY)
    # Grouped by ids only, the TAM's names aggregated: PostgreSQL then estimates the few groups
    # right and hashes them in memory instead of sorting every account on disk.
    rows = (
        accounts.order_by()
        .values("region", "segment", "tam")
        .annotate(
            **aggregates,
            stale=Count("pk", filter=inputs.stale_q(today)),
            tam_first=Max("tam__first_name"),
            tam_last=Max("tam__last_name"),
            tam_username=Max("tam__username"),
        )
    )
    segments = dict(Segment.choices)
    total = _Rollup(None, "All")
    by: dict[str, dict[str, _Rollup]] = {"region": {}, "segment": {}, "tam": {}}
    for row in rows:
        if row["tam"]:
            tam_key = str(row["tam"])
            tam_label = f"{row['tam_first']} {row['tam_last']}".strip() or row["tam_username"]
        else:
            tam_key, tam_label = NO_TAM, "No TAM"
        keys = {
            "region": (row["region"], row["region"]),
            "segment": (row["segment"], segments.get(row["segment"], row["segment"])),
            "tam": (tam_key, tam_label),
        }
        total.add(row)
        for dimension, (key, label) in keys.items():
            by[dimension].setdefault(key, _Rollup(key, label)).add(row)

    def ordered(dimension: str, sort_key) -> list[ColorTotals]:
        return [rollup.totals() for rollup in sorted(by[dimension].values(), key=sort_key)]

    return DashboardSummary(
        totals=total.totals(),
        by_region=ordered("region", lambda r: r.key),
        by_segment=ordered("segment", lambda r: r.key),
        by_tam=ordered("tam", lambda r: (r.key == NO_TAM, r.label.casefold(), r.key)),
    )


def health_reasons(measures: dict | None, sentiment_reason: str | None) -> list[str]:
    """Why an account has its color, in plain words: the yellow and red measures of its latest
    snapshot, and what the TAM last wrote about their sentiment."""
    reasons = []
    for name in rules.MEASURES:
        measure = (measures or {}).get(name) or {}
        color = measure.get("color")
        if name == "sentiment" and sentiment_reason:
            reasons.append(f"{rules.LABELS[name]} {color or 'not set'}: “{sentiment_reason}”")
        elif color in (Color.YELLOW, Color.RED):
            reasons.append(f"{rules.LABELS[name]} {color}: {measure.get('detail', '')}")
    return reasons


def _latest_sentiment_reason():
    """The TAM's latest written reason; a "confirmed current" entry repeats the color, not the why."""
    latest = (
        SentimentEntry.objects.filter(account=OuterRef("pk"))
        .exclude(source=SentimentSource.CONFIRMATION)
        .exclude(reason="")
        .order_by(*rules.SENTIMENT_NEWEST_FIRST)
    )
    return Subquery(latest.values("reason")[:1])


# Riskiest first: lowest score, then the largest ARR; unscored accounts last.
DASHBOARD_ORDER = (F("health_score").asc(nulls_last=True), F("arr").desc(), "pk")


def dashboard_order(accounts: QuerySet[Account]) -> QuerySet[Account]:
    return accounts.order_by(*DASHBOARD_ORDER)


def _with_list_columns(accounts: QuerySet[Account], today: dt.date) -> QuerySet[Account]:
    """What the list and the CSV show besides the account: the TAM, staleness, the latest
    snapshot's measures and the TAM's latest reason (correlated subqueries, so callers apply
    them to one page or one chunk of ids, never to a whole sorted table)."""
    latest_snapshot = HealthSnapshot.objects.filter(account=OuterRef("pk"), date=OuterRef("scored_on"))
    return accounts.select_related("tam").annotate(
        is_stale=Case(When(inputs.stale_q(today), then=Value(True)), default=Value(False)),
        latest_measures=Subquery(latest_snapshot.values("measures")[:1], output_field=JSONField()),
        sentiment_reason=_latest_sentiment_reason(),
    )


def dashboard_rows(ids: list[int], today: dt.date) -> list[Account]:
    """The accounts with these ids, in this order, with the list columns and .reasons: one query.

    The page's ids come from dashboard_order(...).values_list("pk"): sorting bare columns and
    then reading 50 rows keeps every page fast, the last one as much as the first."""
    by_id = {account.pk: account for account in _with_list_columns(Account.objects.filter(pk__in=ids), today)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    for account in rows:
        account.reasons = health_reasons(account.latest_measures, account.sentiment_reason)
    return rows


@dataclass(frozen=True)
class WeekColors:
    """How many of the filtered accounts had each color on one week-end date."""

    end: dt.date
    counts: dict  # color (or UNSCORED) -> accounts
    current: bool = False  # the last bar: today's current health, not a stored snapshot

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, color: str) -> float:
        return self.counts.get(color, 0) * 100 / self.total if self.total else 0.0


def week_end_dates(today: dt.date, weeks: int = WEEKS_IN_CHART) -> list[dt.date]:
    """The chart's week-end dates, oldest first, the last one being today."""
    return [today - dt.timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def dashboard_weekly_colors(
    filters: DashboardFilters, today: dt.date, totals: ColorTotals, weeks: int = WEEKS_IN_CHART
) -> list[WeekColors]:
    """The color distribution of the filtered accounts on each of the last `weeks` week-end dates.

    Past weeks count the snapshots stored *on* the week-end date (the daily job stores one per
    account per day); the last bar is the accounts' current health (the totals), so the chart
    ends where the dashboard's totals are even before today's job has run. The filters select
    accounts by what they are now (region, TAM, color, ...) and the chart shows their history.
    One query.
    """
    dates = week_end_dates(today, weeks)
    snapshots = HealthSnapshot.objects.filter(filters.q(today, "account__"), date__in=dates[:-1])
    counts: dict[dt.date, dict] = {d: {} for d in dates}
    # COUNT(*), not COUNT(id): the count then comes from the (date, color, account) index alone.
    for row in snapshots.order_by().values("date", "color").annotate(n=Count("*")):
        counts[row["date"]][row["color"] or UNSCORED] = row["n"]
    history = [WeekColors(end=d, counts=counts[d]) for d in dates[:-1]]
    now = WeekColors(end=dates[-1], counts={c.color: c.count for c in totals.colors if c.count}, current=True)
    return [*history, now]


@dataclass(frozen=True)
class ColorMove:
    """One account whose color differs from a week ago."""

    account: Account
    old: str | None
    new: str | None
    changed_on: dt.date | None


@dataclass(frozen=True)
class RecentChanges:
    since: dt.date
    total: int
    summary: list[tuple[str, str, int]]  # (from, to, accounts), most frequent first
    moves: list[ColorMove]  # the first RECENT_CHANGES_SHOWN, worst new color and largest ARR first


def dashboard_recent_changes(
    filters: DashboardFilters, today: dt.date, limit: int = RECENT_CHANGES_SHOWN
) -> RecentChanges:
    """Accounts whose current color differs from their snapshot of 7 days ago (the net change
    over the week), and when they moved: the first day of the current color in the snapshots
    since then. Three queries: the changed accounts (bare columns), the shown ones, their days."""
    since = today - dt.timedelta(days=RECENT_CHANGE_DAYS)
    changed = (
        HealthSnapshot.objects.filter(filters.q(today, "account__"), date=since)
        .exclude(Q(color=F("account__health_color")) | Q(color__isnull=True, account__health_color__isnull=True))
        .order_by()
        .values_list("account_id", "color", "account__health_color", "account__arr")
    )
    counter: dict[tuple[str, str], int] = {}
    moved = []
    for account_id, old, new, arr in changed:
        key = (old or UNSCORED, new or UNSCORED)
        counter[key] = counter.get(key, 0) + 1
        moved.append((COLOR_RANK[key[1]], -arr, account_id, old))
    summary = sorted(
        ((old, new, n) for (old, new), n in counter.items()),
        key=lambda s: (-s[2], COLOR_RANK[s[1]], COLOR_RANK[s[0]]),
    )
    shown = sorted(moved)[:limit]
    ids = [account_id for _, _, account_id, _ in shown]
    accounts = Account.objects.select_related("tam").in_bulk(ids)
    # When: the start of the run of the current color in the snapshots since a week ago.
    history: dict[int, list[tuple[dt.date, str | None]]] = {}
    for account_id, date, color in (
        HealthSnapshot.objects.filter(account__in=ids, date__gt=since, date__lte=today)
        .order_by("account_id", "date")
        .values_list("account_id", "date", "color")
    ):
        history.setdefault(account_id, []).append((date, color))
    moves = []
    for _, _, account_id, old in shown:
        account = accounts[account_id]
        changed_on = None
        for date, color in reversed(history.get(account_id, [])):
            if color != account.health_color:
                break
            changed_on = date
        moves.append(ColorMove(account=account, old=old, new=account.health_color, changed_on=changed_on))
    return RecentChanges(since=since, total=len(moved), summary=summary, moves=moves)


def dashboard_tam_choices() -> list[tuple[int, str]]:
    """Everyone who can own accounts for the TAM filter: the TAM group and the current owners."""
    users = (
        User.objects.filter(Q(groups__name=permissions.TAM) | Q(pk__in=Account.objects.values("tam_id")))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [(u.pk, u.get_full_name() or u.username) for u in users]


CSV_HEADER = (
    "External id",
    "Name",
    "Segment",
    "Region",
    "Public sector",
    "ARR",
    "TAM",
    "Color",
    "Score",
    "Health score date",
    "Stale",
    "Reasons",
)
CSV_CHUNK = 2000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def dashboard_csv_rows(accounts: QuerySet[Account], today: dt.date):
    """The header, then one row per filtered account in list order: the ordered ids first, then
    the rows chunk by chunk, so memory stays flat (an id list plus one chunk) at any size.
    Account facts and health only: never meeting summaries or notes."""
    yield CSV_HEADER
    segments = dict(Segment.choices)
    ids = list(dashboard_order(accounts).values_list("pk", flat=True))
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        rows = _with_list_columns(Account.objects.filter(pk__in=chunk), today).values_list(
            "pk",
            "external_id",
            "name",
            "segment",
            "region",
            "public_sector",
            "arr",
            "tam__first_name",
            "tam__last_name",
            "tam__username",
            "health_color",
            "health_score",
            "health_date",
            "is_stale",
            "latest_measures",
            "sentiment_reason",
        )
        by_id = {row[0]: row for row in rows}
        for pk in chunk:
            if pk not in by_id:  # deleted while exporting
                continue
            _, ext_id, name, segment, region, public, arr, first, last, username, color, score, date, stale, m, why = (
                by_id[pk]
            )
            tam = f"{first} {last}".strip() or username or ""
            yield (
                _csv_text(ext_id),
                _csv_text(name),
                segments.get(segment, segment),
                region,
                "yes" if public else "no",
                f"{arr:.2f}",
                _csv_text(tam),
                rules.color_label(color),
                "" if score is None else str(score),
                date.isoformat() if date else "",
                "yes" if stale else "no",
                _csv_text("; ".join(health_reasons(m, why))),
            )
