"""Geometry of the Scorecard quality page's server-rendered SVG charts (pure; no JavaScript chart
library). Every chart has the same numbers in a table beside it."""

from __future__ import annotations

from decimal import Decimal

from quality import backtest

OUTCOME_LABELS = {
    backtest.RENEWED: "Renewed",
    backtest.EXPANDED: "Expanded",
    backtest.DOWNSELL: "Downsell",
    backtest.CHURNED: "Churned",
}


def _pct(value) -> Decimal | None:
    return backtest.percent(value)


def distribution(result: backtest.Backtest, *, width: int = 520, bar: int = 22, gap: int = 10) -> dict:
    """One 100 % bar per color (green, yellow, red, unscored): the share of each outcome among the
    renewals whose account had that color at the horizon."""
    left, right = 92, 56
    plot = width - left - right
    rows = []
    for i, row in enumerate(result.rows):
        y = 8 + i * (bar + gap)
        x = left
        segments = []
        for outcome in backtest.OUTCOMES:
            n = row.counts[outcome]
            if not n:
                continue
            w = plot * n / row.total
            segments.append(
                {
                    "outcome": outcome,
                    "label": OUTCOME_LABELS[outcome],
                    "n": n,
                    "share": _pct(backtest.ratio(n, row.total)),
                    "x": round(x, 1),
                    "w": round(w, 1),
                }
            )
            x += w
        rows.append(
            {
                "color": row.color,
                "label": row.label,
                "total": row.total,
                "y": y,
                "text_y": y + bar * 0.7,
                "segments": segments,
            }
        )
    return {
        "width": width,
        "height": 8 + len(rows) * (bar + gap),
        "bar": bar,
        "left": left,
        "plot": plot,
        "total_x": width - right + 6,
        "rows": rows,
    }


def grouped_bars(groups: list[tuple[str, list[tuple[str, str, Decimal | None]]]], *, height: int = 200) -> dict:
    """Vertical bars on a 0-100 % scale: groups of (css class, label, percentage or None) bars.
    A None value (nothing to divide by) is drawn as "n/a", never as 0."""
    top, bottom, left = 12, 40, 40
    plot_h = height - top - bottom
    bar_w, inner_gap, group_gap = 26, 4, 28
    x = left + group_gap / 2
    out = []
    for label, bars in groups:
        start = x
        drawn = []
        for css, name, value in bars:
            h = 0 if value is None else plot_h * float(value) / 100
            drawn.append(
                {
                    "css": css,
                    "name": name,
                    "value": value,
                    "x": round(x, 1),
                    "y": round(top + plot_h - h, 1),
                    "h": round(h, 1),
                    "w": bar_w,
                    "text_x": round(x + bar_w / 2, 1),
                    "text_y": round(top + plot_h - h - 4, 1),
                }
            )
            x += bar_w + inner_gap
        out.append({"label": label, "center": round((start + x - inner_gap) / 2, 1), "bars": drawn})
        x += group_gap - inner_gap
    width = round(x + group_gap / 2)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - 4,
        "base_y": top + plot_h,
        "label_y": top + plot_h + 18,
        "grid": [{"y": round(top + plot_h * (1 - v / 100), 1), "label": f"{v} %"} for v in (0, 25, 50, 75, 100)],
        "groups": out,
    }
