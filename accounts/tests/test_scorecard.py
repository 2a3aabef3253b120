"""The pure scorecard rules, at every boundary the handbook sets."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.scoring import rules
from accounts.scoring.rules import (
    COMMERCIAL,
    COMMERCIAL_RULES,
    ENTERPRISE,
    ENTERPRISE_RULES,
    GREEN,
    RED,
    YELLOW,
    Inputs,
)

D = dt.date(2026, 11, 24)


def inputs(**overrides) -> Inputs:
    base = dict(
        segment=ENTERPRISE,
        arr=Decimal("120000"),
        last_held_meeting=D - dt.timedelta(days=5),
        tickets_in_window=0,
        plan_statuses=frozenset({"active"}),
        sentiment=GREEN,
        sentiment_date=D,
    )
    return Inputs(**{**base, **overrides})


def rules_for(segment):
    return ENTERPRISE_RULES if segment == ENTERPRISE else COMMERCIAL_RULES


def compute(**overrides):
    i = inputs(**overrides)
    return rules.compute(i, rules_for(i.segment), D)


def engagement_after(days, **overrides):
    return compute(last_held_meeting=D - dt.timedelta(days=days), **overrides).measure("engagement")


@pytest.mark.parametrize(
    "days,color",
    [(0, GREEN), (30, GREEN), (31, YELLOW), (60, YELLOW), (61, RED), (400, RED)],
)
def test_enterprise_engagement_bands(days, color):
    assert engagement_after(days).color == color


@pytest.mark.parametrize(
    "days,color",
    [(30, GREEN), (31, YELLOW), (60, YELLOW), (61, RED)],
)
def test_commercial_at_50k_uses_the_short_limits(days, color):
    assert engagement_after(days, segment=COMMERCIAL, arr=Decimal("50000")).color == color


@pytest.mark.parametrize(
    "days,color",
    [(30, GREEN), (90, GREEN), (91, YELLOW), (120, YELLOW), (121, RED)],
)
def test_commercial_between_20k_and_50k_uses_the_long_limits(days, color):
    assert engagement_after(days, segment=COMMERCIAL, arr=Decimal("49999")).color == color
    assert engagement_after(days, segment=COMMERCIAL, arr=Decimal("20000")).color == color


def test_engagement_turns_yellow_on_day_31():
    assert engagement_after(30).color == GREEN
    day_31 = engagement_after(31)
    assert day_31.color == YELLOW
    assert day_31.detail.startswith("31 days since last meeting on 2026-10-24")


def test_commercial_under_20k_has_no_engagement_measure():
    m = engagement_after(5, segment=COMMERCIAL, arr=Decimal("19999"))
    assert m.color is None
    assert m.effective_weight == 0
    assert "under $20,000" in m.detail


def test_enterprise_engagement_ignores_arr_tiers():
    assert engagement_after(91, segment=ENTERPRISE, arr=Decimal("1000")).color == RED


def test_no_held_meeting_is_red():
    m = compute(last_held_meeting=None).measure("engagement")
    assert m.color == RED
    assert m.detail.startswith("No held meeting on record")


@pytest.mark.parametrize(
    "statuses,color",
    [({"active"}, GREEN), ({"active", "draft"}, GREEN), ({"draft"}, YELLOW), ({"closed"}, RED), (set(), RED)],
)
def test_roi_follows_the_success_plan(statuses, color):
    assert compute(plan_statuses=frozenset(statuses)).measure("roi").color == color


@pytest.mark.parametrize("arr,measured", [("49999", False), ("50000", True), ("19999", False)])
def test_commercial_roi_measured_from_50k(arr, measured):
    m = compute(segment=COMMERCIAL, arr=Decimal(arr)).measure("roi")
    assert (m.color is not None) is measured


@pytest.mark.parametrize(
    "tickets,color",
    [(0, GREEN), (5, GREEN), (6, YELLOW), (15, YELLOW), (16, RED), (99, RED)],
)
def test_support_bands(tickets, color):
    assert compute(tickets_in_window=tickets).measure("support").color == color


def test_support_window_is_the_30_days_ending_on_the_date():
    start, end = rules.support_window(D)
    assert (start, end) == (dt.date(2026, 10, 25), D)  # opened > Oct 25 and <= Nov 24: 30 days


def test_missing_sentiment_redistributes_75_percent():
    result = compute(sentiment=None, sentiment_date=None)
    weights = {m.name: rules.round2(m.effective_weight) for m in result.measures}
    assert weights == {
        "engagement": Decimal("40.00"),
        "roi": Decimal("40.00"),
        "support": Decimal("20.00"),
        "sentiment": Decimal("0.00"),
    }
    assert result.score == 100


def test_redistribution_for_small_commercial_account():
    # Commercial < 20k: engagement and ROI missing; support 5 and sentiment 75 share 100.
    result = compute(segment=COMMERCIAL, arr=Decimal("10000"), tickets_in_window=6, sentiment=GREEN)
    support, sentiment = result.measure("support"), result.measure("sentiment")
    assert rules.round2(support.effective_weight) == Decimal("6.25")
    assert rules.round2(sentiment.effective_weight) == Decimal("93.75")
    # yellow support: 50 * 6.25 / 100 + 100 * 93.75 / 100 = 96.875
    assert result.score == Decimal("96.875")
    assert result.score_rounded == Decimal("96.9")


def test_effective_weights_of_present_measures_sum_to_100():
    result = compute(segment=COMMERCIAL, arr=Decimal("30000"))
    assert sum(m.effective_weight for m in result.measures) == pytest.approx(Decimal(100))
    assert rules.round2(result.measure("engagement").effective_weight) == Decimal("11.11")


def test_score_is_weighted_points():
    # engagement yellow (10 * 50), roi red (0), support green (5 * 100), sentiment yellow (75 * 50)
    result = compute(
        last_held_meeting=D - dt.timedelta(days=45), plan_statuses=frozenset(), tickets_in_window=2, sentiment=YELLOW
    )
    assert result.score == Decimal("47.5")
    assert result.color == RED


@pytest.mark.parametrize(
    "score,color",
    [(Decimal("50.99"), RED), (Decimal("51"), YELLOW), (Decimal("75.99"), YELLOW), (Decimal("76"), GREEN)],
)
def test_color_bands_at_51_and_76(score, color):
    assert rules.color_for_score(score, ENTERPRISE_RULES) == color


def test_score_exactly_on_a_band_edge_takes_the_upper_color():
    # Custom weights that land on the edges: support red (0 points) + sentiment green (100 points).
    on_edge = rules.Rules(weight_engagement=0, weight_roi=0, weight_support=49, weight_sentiment=51)
    below = rules.Rules(weight_engagement=0, weight_roi=0, weight_support=50, weight_sentiment=50)
    r = rules.compute(inputs(tickets_in_window=40), on_edge, D)
    assert (r.score, r.color) == (51, YELLOW)
    r = rules.compute(inputs(tickets_in_window=40), below, D)
    assert (r.score, r.color) == (50, RED)


def test_band_is_judged_on_the_unrounded_score():
    assert Decimal("75.96").quantize(Decimal("0.1")) == Decimal("76.0")
    assert rules.color_for_score(Decimal("75.96"), ENTERPRISE_RULES) == YELLOW


def test_all_green_scores_100_and_all_red_scores_0():
    assert compute().score == 100
    red = compute(last_held_meeting=None, plan_statuses=frozenset(), tickets_in_window=16, sentiment=RED)
    assert red.score == 0 and red.color == RED


def test_no_weighted_measure_present_gives_no_score():
    no_weights = rules.Rules(weight_engagement=0, weight_roi=0, weight_support=0, weight_sentiment=100)
    r = rules.compute(inputs(sentiment=None), no_weights, D)
    assert r.score is None and r.color is None


def test_explain_missing_says_where_the_weight_went():
    result = compute(segment=COMMERCIAL, arr=Decimal("30000"))
    [sentence] = rules.explain_missing(result)
    assert sentence == (
        "ROI: not measured for Commercial accounts under $50,000 ARR, so its 10 % is shared by the other "
        "measures in proportion to their weights."
    )


def test_measure_dict_reports_rounded_effective_weight_and_null_color():
    d = compute(segment=COMMERCIAL, arr=Decimal("30000")).measures_dict()
    assert d["roi"] == {
        "color": None,
        "weight": 10,
        "effective_weight": 0.0,
        "detail": "Not measured for Commercial accounts under $50,000 ARR",
    }
    assert d["engagement"]["effective_weight"] == 11.11


def test_health_reasons_are_the_yellow_and_red_measures_in_scorecard_order_then_the_tams_words():
    measures = [
        ("sentiment", "red", "Set to red on 2026-11-24"),
        ("support", "yellow", "9 tickets"),
        ("roi", None, "Not measured"),
        ("engagement", "green", "3 days"),
    ]
    assert rules.health_reasons(measures, None) == [
        "Support yellow: 9 tickets",
        "TAM Sentiment red: Set to red on 2026-11-24",
    ]
    # What the TAM wrote stands for the sentiment, whatever its color, on one line.
    assert rules.health_reasons(measures, "Sponsor left\r\nBudget cut") == [
        "Support yellow: 9 tickets",
        "TAM Sentiment red: “Sponsor left Budget cut”",
    ]
    assert rules.health_reasons([("sentiment", None, "No TAM sentiment recorded yet")], "Why") == [
        "TAM Sentiment not set: “Why”"
    ]
    assert rules.health_reasons([], None) == []
    text = rules.reasons_text(rules.health_reasons(measures, "Sponsor left\nBudget cut"))
    assert rules.reasons_list(text) == ["Support yellow: 9 tickets", "TAM Sentiment red: “Sponsor left Budget cut”"]
    assert rules.reasons_list("") == rules.reasons_list(None) == []
