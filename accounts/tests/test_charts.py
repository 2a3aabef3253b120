"""The SVG chart geometry: pure functions, no database."""

import datetime as dt
from decimal import Decimal

from accounts import charts

END = dt.date(2026, 11, 24)


def test_sparkline_places_points_by_date_on_a_fixed_0_to_100_scale():
    start = END - dt.timedelta(days=90)
    chart = charts.sparkline(
        [(start, Decimal("100"), "green"), (END - dt.timedelta(days=45), Decimal("50"), "yellow"), (END, 0, "red")],
        start=start,
        end=END,
        width=100,
        height=20,
        pad=0,
    )
    assert [(p.x, p.y) for p in chart["points"]] == [(0, 0), (50, 10), (100, 20)]
    assert chart["polyline"] == "0.0,0.0 50.0,10.0 100.0,20.0"
    assert chart["last"].color == "red"


def test_sparkline_skips_unscored_days_and_describes_the_trend_in_words():
    start = END - dt.timedelta(days=90)
    chart = charts.sparkline(
        [
            (END - dt.timedelta(days=20), Decimal("80.0"), "green"),
            (END - dt.timedelta(days=10), None, None),
            (END, Decimal("42.5"), "red"),
        ],
        start=start,
        end=END,
    )
    assert len(chart["points"]) == 2
    assert chart["label"] == "Down from 80.0 on 2026-11-04 to 42.5 (Red) on 2026-11-24; lowest 42.5 on 2026-11-24."


def test_no_points_give_an_empty_chart_with_a_sentence():
    chart = charts.sparkline([], start=END - dt.timedelta(days=90), end=END)
    assert chart["points"] == [] and chart["last"] is None
    assert chart["label"] == "No stored scores in this period."


def test_score_chart_bands_follow_the_segment_thresholds_and_are_labelled():
    chart = charts.score_chart([(END, Decimal("60"), "yellow")], end=END, green_min=76, yellow_min=51, height=110)
    # Plot area: top 10, height 110 - 10 - 28 = 72.
    bands = {band["css"]: band for band in chart["bands"]}
    assert bands["green"]["label"] == "Green ≥ 76" and bands["red"]["label"] == "Red < 51"
    assert bands["yellow"]["label"] == "Yellow 51–75"
    assert round(bands["green"]["h"] + bands["yellow"]["h"] + bands["red"]["h"]) == 72
    # One score: at least four weeks of x axis so a lone point is not stretched edge to edge.
    assert chart["start"] == END - dt.timedelta(days=28)
    assert chart["label"] == "One score: 60 (Yellow) on 2026-11-24."
    assert [t["label"] for t in chart["ticks"]][0] == "Oct 27" and chart["ticks"][-1]["label"] == "Nov 24"
