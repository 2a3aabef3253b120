"""Geometry for the small server-rendered SVG charts (no ORM, no JavaScript chart library).

Scores are always drawn on a fixed 0-100 scale so two charts can be compared at a glance, and
x is proportional to time so a gap in the stored scores shows as a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from accounts.scoring import rules


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    date: dt.date
    score: Decimal
    color: str | None

    @property
    def color_word(self) -> str:
        return rules.color_label(self.color)


def _scale(points, *, start: dt.date, end: dt.date, left: float, top: float, width: float, height: float):
    span = max((end - start).days, 1)
    out = []
    for date, score, color in points:
        if score is None:
            continue
        x = left + width * (date - start).days / span
        y = top + height * (1 - float(score) / 100)
        out.append(ChartPoint(round(x, 1), round(y, 1), date, Decimal(score), color))
    return out


def _polyline(points: list[ChartPoint]) -> str:
    return " ".join(f"{p.x},{p.y}" for p in points)


def describe(points: list[ChartPoint]) -> str:
    """The chart in words, for screen readers and as a tooltip."""
    if not points:
        return "No stored scores in this period."
    first, last = points[0], points[-1]
    if len(points) == 1:
        return f"One score: {last.score} ({last.color_word}) on {last.date:%Y-%m-%d}."
    low = min(points, key=lambda p: p.score)
    trend = "up" if last.score > first.score else "down" if last.score < first.score else "flat"
    return (
        f"{trend.capitalize()} from {first.score} on {first.date:%Y-%m-%d} to {last.score} ({last.color_word}) "
        f"on {last.date:%Y-%m-%d}; lowest {low.score} on {low.date:%Y-%m-%d}."
    )


def sparkline(
    points: Iterable[tuple[dt.date, Decimal | None, str | None]],
    *,
    start: dt.date,
    end: dt.date,
    width: int = 120,
    height: int = 30,
    pad: int = 3,
) -> dict:
    """A tiny trend line: (date, score, color) points between start and end."""
    scaled = _scale(points, start=start, end=end, left=pad, top=pad, width=width - 2 * pad, height=height - 2 * pad)
    return {
        "width": width,
        "height": height,
        "polyline": _polyline(scaled),
        "points": scaled,
        "last": scaled[-1] if scaled else None,
        "label": describe(scaled),
        # The color bands' edges on the default scale, as faint guides.
        "guide_y": round(pad + (height - 2 * pad) * (1 - 50 / 100), 1),
    }


def score_chart(
    points: Iterable[tuple[dt.date, Decimal | None, str | None]],
    *,
    end: dt.date,
    green_min: int,
    yellow_min: int,
    width: int = 640,
    height: int = 220,
    min_days: int = 28,
) -> dict:
    """The account page's score-over-time chart, with the color bands labelled in words."""
    points = [p for p in points if p[1] is not None]
    start = min([p[0] for p in points] + [end - dt.timedelta(days=min_days)])
    left, right, top, bottom = 40, 12, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return round(top + plot_h * (1 - score / 100), 1)

    scaled = _scale(points, start=start, end=end, left=left, top=top, width=plot_w, height=plot_h)
    bands = [
        {"css": "green", "label": f"Green ≥ {green_min}", "y": y_of(100), "h": round(y_of(green_min) - y_of(100), 1)},
        {
            "css": "yellow",
            "label": f"Yellow {yellow_min}–{green_min - 1}",
            "y": y_of(green_min),
            "h": round(y_of(yellow_min) - y_of(green_min), 1),
        },
        {
            "css": "red",
            "label": f"Red < {yellow_min}",
            "y": y_of(yellow_min),
            "h": round(y_of(0) - y_of(yellow_min), 1),
        },
    ]
    for band in bands:
        band["label_y"] = round(band["y"] + min(band["h"] - 3, 13), 1)
    span = max((end - start).days, 1)
    ticks = []
    for i in range(5):
        day = start + dt.timedelta(days=round(span * i / 4))
        ticks.append({"x": round(left + plot_w * (day - start).days / span, 1), "label": f"{day:%b} {day.day}"})
    return {
        "width": width,
        "height": height,
        "left": left,
        "plot_w": plot_w,
        "right_x": width - right,
        "bottom_y": top + plot_h,
        "grid": [{"y": y_of(v), "label": v} for v in (0, 25, 50, 75, 100)],
        "bands": bands,
        "ticks": ticks,
        "polyline": _polyline(scaled),
        "points": scaled,
        "label": describe(scaled),
        "start": start,
        "end": end,
    }
