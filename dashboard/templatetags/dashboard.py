"""Presentation helpers of the risk dashboard: short money, shares, the weekly chart. Color words
and people's names come from the `health` library (color_word, person), like every other page."""

from decimal import Decimal

from django import template

from accounts.scoring import rules
from dashboard.selectors import UNSCORED

register = template.Library()

# Bottom to top: the risky colors sit on the baseline so their growth is easy to compare.
CHART_STACK = ("red", "yellow", "green", UNSCORED)
CHART_WIDTH, CHART_HEIGHT = 720, 250
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 8, 10, 40
# A segment this tall (in chart units) or taller carries its count as text.
LABEL_MIN_HEIGHT = 16


@register.filter
def money_short(value) -> str:
    """$1.2M, $350k, $900: ARR at a glance (exact figures are in the CSV)."""
    value = Decimal(value or 0)
    if value >= 1_000_000:
        return f"${value / 1_000_000:,.1f}M"
    if value >= 10_000:
        return f"${value / 1000:,.0f}k"
    return f"${value:,.0f}"


@register.filter
def percent_of(part, whole) -> str:
    """part as a whole-number percentage of whole ("0 %" when whole is 0)."""
    whole = Decimal(whole or 0)
    return f"{(Decimal(part or 0) * 100 / whole) if whole else 0:.0f} %"


def _f(value: float) -> str:
    return f"{value:.1f}"


@register.inclusion_tag("dashboard/_color_chart.html")
def color_chart(weeks):
    """Stacked 100 % bars, one per week, drawn server-side as inline SVG."""
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT - CHART_RIGHT) / len(weeks)
    bar_width = slot * 0.64
    baseline = CHART_TOP + plot_height
    bars = []
    for index, week in enumerate(weeks):
        x = CHART_LEFT + index * slot + (slot - bar_width) / 2
        top = baseline
        segments = []
        for color in CHART_STACK:
            count = week.counts.get(color, 0)
            if not count:
                continue
            height = plot_height * count / week.total
            top -= height
            segments.append(
                {
                    "color": color,
                    "label": rules.color_label(color),
                    "count": count,
                    "share": f"{week.share(color):.0f}",
                    "y": _f(top),
                    "height": _f(height),
                    "text_y": _f(top + height / 2 + 4),
                    "show_count": height >= LABEL_MIN_HEIGHT,
                }
            )
        bars.append(
            {
                "week": week,
                "label": "Now" if week.current else f"{week.end:%b} {week.end.day}",
                "x": _f(x),
                "width": _f(bar_width),
                "center": _f(x + bar_width / 2),
                "segments": segments,
            }
        )
    gridlines = [{"y": _f(baseline - plot_height * p / 100), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)]
    return {
        "bars": bars,
        "gridlines": gridlines,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right_edge": CHART_WIDTH - CHART_RIGHT,
        "label_y": baseline + 18,
        "stack": [(c, rules.color_label(c)) for c in CHART_STACK],
        "weeks": weeks,
    }


@register.filter
def dict_get(mapping, key):
    return mapping.get(key)
