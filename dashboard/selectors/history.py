"""The weeks behind the current health: the weekly color chart and the recent color changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from accounts.models import Account, HealthSnapshot
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
