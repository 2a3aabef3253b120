"""The weeks behind the current health: the weekly color chart and the recent color changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Sum

from accounts.models import Account, HealthChange, HealthDailyCount, HealthSnapshot
from dashboard.selectors.scope import COLOR_RANK, UNSCORED, DashboardFilters
from dashboard.selectors.summary import ColorTotals

WEEKS_IN_CHART = 12
RECENT_CHANGE_DAYS = 7
RECENT_CHANGES_SHOWN = 25


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

    Past weeks read the daily color counts that each full scoring run stores (HealthDailyCount:
    a few thousand rows per day whatever the number of accounts), each account counted with the
    region, segment and TAM it had that day; the last bar is the accounts' current health (the
    totals), so the chart ends where the dashboard's totals are even before today's run. The
    stale filter depends on the day, so the past bars ignore it. A filter the counts do not keep
    (search, renewal window, open triage) counts the matching accounts' snapshots. One query.
    """
    dates = week_end_dates(today, weeks)
    counts: dict[dt.date, dict] = {d: {} for d in dates}
    if filters.by_dimensions_only:
        rows = (
            HealthDailyCount.objects.filter(filters.dimensions_q(), date__in=dates[:-1])
            .order_by()
            .values("date", "health_color")
            .annotate(n=Sum("accounts"))
        )
    else:
        # A search, a renewal window or an open-triage filter names accounts the daily counts
        # do not keep: count those accounts' snapshots instead (a narrowed set, by their index).
        rows = (
            HealthSnapshot.objects.filter(filters.q(today, "account__"), date__in=dates[:-1])
            .order_by()
            .values("date", health_color=F("color"))
            .annotate(n=Count("*"))
        )
    for row in rows:
        if row["n"]:
            counts[row["date"]][row["health_color"] or UNSCORED] = row["n"]
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
    """Accounts whose current color differs from their color 7 days ago (the net change over the
    week), and when they moved into it, from the outbox of color changes (HealthChange: about
    2 % of the accounts a day), never from the snapshots of every account. Two queries: the
    week's changes of the filtered accounts (bare columns), then the shown accounts."""
    since = today - dt.timedelta(days=RECENT_CHANGE_DAYS)
    week = (
        HealthChange.objects.filter(filters.q(today, "account__"), as_of__gt=since, as_of__lte=today)
        .order_by("account_id", "as_of", "created_at", "pk")
        .values_list("account_id", "old_color", "new_color", "as_of", "account__health_color", "account__arr")
    )
    # Per account: its color before the week's first change, and when it last moved into the
    # color it has now.
    first: dict[int, tuple] = {}
    moved_into: dict[int, dt.date] = {}
    for account_id, old, new, as_of, current, arr in week:
        first.setdefault(account_id, (old or None, current, arr))
        if (new or None) == current:
            moved_into[account_id] = as_of
    counter: dict[tuple[str, str], int] = {}
    moved = []
    for account_id, (old, current, arr) in first.items():
        if old == current:
            continue  # a wobble that came back
        key = (old or UNSCORED, current or UNSCORED)
        counter[key] = counter.get(key, 0) + 1
        moved.append((COLOR_RANK[key[1]], -arr, account_id, old))
    summary = sorted(
        ((old, new, n) for (old, new), n in counter.items()),
        key=lambda s: (-s[2], COLOR_RANK[s[1]], COLOR_RANK[s[0]]),
    )
    shown = sorted(moved)[:limit]
    accounts = Account.objects.select_related("tam").in_bulk([account_id for _, _, account_id, _ in shown])
    moves = [
        ColorMove(
            account=accounts[account_id],
            old=old,
            new=accounts[account_id].health_color,
            changed_on=moved_into.get(account_id),
        )
        for _, _, account_id, old in shown
        if account_id in accounts
    ]
    return RecentChanges(since=since, total=len(moved), summary=summary, moves=moves)
