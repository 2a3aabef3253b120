"""Totals and breakdowns: accounts and ARR per color, in total and by region, segment and TAM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts import listing
from accounts.models import Account, Color, Segment
from accounts.scoring import inputs, rules
from dashboard.selectors.scope import DASHBOARD_COLORS, NO_TAM, color_q

RENEWAL_AT_RISK_DAYS = 90  # "ARR renewing in 90 days at risk"
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
    """Sums of the per-group aggregates, for one key (a region, a segment, a TAM, or all)."""

    def __init__(self, key: str | None, label: str):
        self.key, self.label = key, label
        self.counts = dict.fromkeys(DASHBOARD_COLORS, 0)
        self.arr = {color: Decimal(0) for color in DASHBOARD_COLORS}
        self.stale = 0
        self.renewing_at_risk = Decimal(0)

    def add(self, row: dict) -> None:
        for color in DASHBOARD_COLORS:
            self.counts[color] += row[f"count_{color}"]
            self.arr[color] += Decimal(row[f"arr_{color}"])
        self.stale += row["stale"]
        self.renewing_at_risk += Decimal(row["renewing_at_risk"])

    def totals(self) -> ColorTotals:
        colors = tuple(ColorCount(c, self.counts[c], self.arr[c]) for c in DASHBOARD_COLORS)
        return ColorTotals(
            key=self.key,
            label=self.label,
            colors=colors,
            stale=self.stale,
            arr_renewing_at_risk=self.renewing_at_risk,
        )


def dashboard_summary(accounts: QuerySet[Account], today: dt.date) -> DashboardSummary:
    """Accounts and ARR by color, ARR at risk (and renewing within 90 days) and stale health
    scores: in total and by region, segment and TAM. One GROUP BY (region, segment, TAM) query, rolled up here: at most
    regions x segments x TAMs groups, whatever the number of accounts."""
    aggregates = {}
    at_risk = Q(health_color__in=(Color.YELLOW, Color.RED)) & listing.renewal_q(today, RENEWAL_AT_RISK_DAYS)
    aggregates["renewing_at_risk"] = Coalesce(Sum("arr", filter=at_risk), Value(Decimal(0)), output_field=_MONEY)
    for color in DASHBOARD_COLORS:
        condition = color_q(color)
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
