"""Totals and breakdowns: accounts and ARR per color, in total and by region, segment and TAM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Sum

from accounts import listing
from accounts.models import Account, Color, HealthTally, Segment
from accounts.scoring import rules, staleness
from dashboard.selectors.scope import DASHBOARD_COLORS, NO_TAM, UNSCORED, DashboardFilters

RENEWAL_AT_RISK_DAYS = 90  # "ARR renewing in 90 days at risk"


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
    # ARR of the yellow and red accounts renewing within RENEWAL_AT_RISK_DAYS.
    arr_renewing_at_risk: Decimal = Decimal(0)

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
    """Sums per color, for one key (a region, a segment, a TAM, or all)."""

    def __init__(self, key: str | None, label: str):
        self.key, self.label = key, label
        self.counts = dict.fromkeys(DASHBOARD_COLORS, 0)
        self.arr = {color: Decimal(0) for color in DASHBOARD_COLORS}
        self.stale = 0
        self.renewing_at_risk = Decimal(0)

    def add(self, color: str, count: int, arr: Decimal, stale: int) -> None:
        self.counts[color] += count
        self.arr[color] += arr
        self.stale += stale

    def totals(self) -> ColorTotals:
        colors = tuple(ColorCount(c, self.counts[c], self.arr[c]) for c in DASHBOARD_COLORS)
        return ColorTotals(
            key=self.key,
            label=self.label,
            colors=colors,
            stale=self.stale,
            arr_renewing_at_risk=self.renewing_at_risk,
        )


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# (region, segment, TAM id or 0, color or UNSCORED) -> [accounts, ARR, stale accounts]
Groups = dict[tuple, list]


def _groups_from_tally(filters: DashboardFilters, today: dt.date) -> Groups:
    """The filtered accounts' counts without reading every account: the tally the database
    keeps (HealthTally: a row per group plus the day's changes), corrected by the stale accounts
    only (the (segment, health_date) index), since staleness depends on the day. Two queries."""
    groups: Groups = {}
    if filters.stale is not True:
        tallied = (
            HealthTally.objects.filter(filters.dimensions_q())
            .order_by()
            .values_list("region", "segment", "tam", "health_color")
            .annotate(n=Sum("accounts"), total=Sum("arr"))
        )
        for region, segment, tam, color, count, arr in tallied:
            group = groups.setdefault((region, segment, tam or 0, color or UNSCORED), [0, Decimal(0), 0])
            group[0] += count
            group[1] += _money(arr)
    stale = (
        Account.objects.filter(filters.dimensions_q(), staleness.stale_ids_q(today))
        .order_by()
        .values_list("region", "segment", "tam", "health_color")
        .annotate(n=Count("*"), total=Sum("arr"))
    )
    for region, segment, tam, color, count, arr in stale:
        group = groups.setdefault((region, segment, tam or 0, color or UNSCORED), [0, Decimal(0), 0])
        if filters.stale is True:  # only the stale ones
            group[0] += count
            group[1] += _money(arr)
            group[2] += count
        elif filters.stale is False:  # all but the stale ones
            group[0] -= count
            group[1] -= _money(arr)
        else:
            group[2] += count
    return groups


def _groups_by_grouping(filters: DashboardFilters, today: dt.date) -> Groups:
    """The same counts for filters the tally does not keep (a search, a renewal window, open
    triage): one GROUP BY over the accounts those filters select."""
    rows = (
        Account.objects.filter(filters.q(today))
        .order_by()
        .values_list("region", "segment", "tam", "health_color")
        .annotate(n=Count("*"), total=Sum("arr"), stale=Count("pk", filter=staleness.stale_q(today)))
    )
    return {
        (region, segment, tam or 0, color or UNSCORED): [count, _money(arr), stale]
        for region, segment, tam, color, count, arr, stale in rows
    }


def dashboard_summary(filters: DashboardFilters, today: dt.date) -> DashboardSummary:
    """Accounts and ARR by color, ARR at risk (and renewing within 90 days) and stale health
    scores: in total and by region, segment and TAM, for the filtered accounts.

    Four queries: the groups' counts (from the tally when the filters allow, see above), the ARR
    at risk renewing within 90 days (the accounts renewing soon only, through the renewal date),
    and the TAMs' names."""
    groups = _groups_from_tally(filters, today) if filters.by_dimensions_only else _groups_by_grouping(filters, today)
    renewing = (
        Account.objects.filter(
            filters.q(today),
            listing.renewal_q(today, RENEWAL_AT_RISK_DAYS),
            health_color__in=(Color.YELLOW, Color.RED),
        )
        .order_by()
        .values_list("region", "segment", "tam")
        .annotate(total=Sum("arr"))
    )
    renewing_at_risk = {(region, segment, tam or 0): _money(total) for region, segment, tam, total in renewing}
    tam_ids = {key[2] for key in groups if key[2]} | {key[2] for key in renewing_at_risk if key[2]}
    tams = {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(pk__in=tam_ids).only("first_name", "last_name", "username")
    }
    segments = dict(Segment.choices)
    total = _Rollup(None, "All")
    by: dict[str, dict[str, _Rollup]] = {"region": {}, "segment": {}, "tam": {}}

    def rollups(region: str, segment: str, tam: int) -> list[_Rollup]:
        tam_key, tam_label = (str(tam), tams.get(tam, f"User {tam}")) if tam else (NO_TAM, "No TAM")
        keys = {
            "region": (region, region),
            "segment": (segment, segments.get(segment, segment)),
            "tam": (tam_key, tam_label),
        }
        return [total] + [by[d].setdefault(key, _Rollup(key, label)) for d, (key, label) in keys.items()]

    for (region, segment, tam, color), (count, arr, stale_count) in groups.items():
        if count or stale_count:
            for rollup in rollups(region, segment, tam):
                rollup.add(color, count, arr, stale_count)
    for (region, segment, tam), amount in renewing_at_risk.items():
        for rollup in rollups(region, segment, tam):
            rollup.renewing_at_risk += amount

    def ordered(dimension: str, sort_key) -> list[ColorTotals]:
        return [rollup.totals() for rollup in sorted(by[dimension].values(), key=sort_key)]

    return DashboardSummary(
        totals=total.totals(),
        by_region=ordered("region", lambda r: r.key),
        by_segment=ordered("segment", lambda r: r.key),
        by_tam=ordered("tam", lambda r: (r.key == NO_TAM, r.label.casefold(), r.key)),
    )
