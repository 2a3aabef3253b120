"""The backtest's figures against a small history computed by hand (quality/backtest.py)."""

import datetime as dt
from fractions import Fraction

import pytest

from accounts.scoring import rules
from quality import backtest

# Twelve renewals, the color their account had 30 days before, and what happened:
#   green:    renewed 3, expanded 1, downsell 1            (5)
#   yellow:   renewed 1, churned 1                          (2)
#   red:      renewed 1, downsell 1, churned 2              (4)
#   unscored: churned 1                                     (1)
HISTORY = [
    ("green", "renewed", 1),
    ("green", "renewed", 1),
    ("green", "renewed", 1),
    ("green", "expanded", 1),
    ("green", "downsell", 1),
    ("yellow", "renewed", 1),
    ("yellow", "churned", 1),
    ("red", "renewed", 1),
    ("red", "downsell", 1),
    ("red", "churned", 2),  # a count of 2 adds up like two rows
    (None, "churned", 1),
]


@pytest.fixture
def result():
    return backtest.backtest(30, HISTORY)


def test_the_matrix_counts_each_renewal_under_its_color_and_outcome(result):
    assert [(r.color, r.counts) for r in result.rows] == [
        ("green", {"renewed": 3, "expanded": 1, "downsell": 1, "churned": 0}),
        ("yellow", {"renewed": 1, "expanded": 0, "downsell": 0, "churned": 1}),
        ("red", {"renewed": 1, "expanded": 0, "downsell": 1, "churned": 2}),
        ("unscored", {"renewed": 0, "expanded": 0, "downsell": 0, "churned": 1}),
    ]
    assert (result.total, result.scored, result.unscored) == (12, 11, 1)


def test_churn_rate_per_color_is_churned_over_the_colors_renewals(result):
    assert result.row("green").churn_rate == 0
    assert result.row("yellow").churn_rate == Fraction(1, 2)
    assert result.row("red").churn_rate == Fraction(2, 4)
    assert result.row("unscored").churn_rate == 1
    # Churn or downsell: green 1/5, red 3/4.
    assert result.row("green").loss_rate == Fraction(1, 5)
    assert result.row("red").loss_rate == Fraction(3, 4)


def test_precision_and_recall_of_red_leave_the_unscored_renewal_out(result):
    # Red and lost: downsell 1 + churned 2 = 3; red and kept: 1; lost but not red: green's
    # downsell and yellow's churn = 2 (the unscored churn is not counted anywhere).
    assert (result.true_positives, result.false_positives, result.false_negatives, result.true_negatives) == (
        3,
        1,
        2,
        5,
    )
    assert result.precision == Fraction(3, 4)
    assert result.recall == Fraction(3, 5)
    assert backtest.percent(result.precision) == backtest.percent(Fraction(75, 100))
    assert str(backtest.percent(result.recall)) == "60.0"


def test_ratios_with_nothing_to_divide_by_are_none_not_zero():
    empty = backtest.backtest(60, [("green", "renewed", 2)])
    assert empty.row("red").churn_rate is None
    assert empty.precision is None  # nothing was red
    assert empty.recall is None  # nothing was lost
    assert backtest.percent(None) is None


def test_percent_rounds_half_up_to_one_decimal():
    assert str(backtest.percent(Fraction(2, 3))) == "66.7"
    assert str(backtest.percent(Fraction(1, 8))) == "12.5"
    assert str(backtest.percent(Fraction(1, 16))) == "6.3"


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        backtest.backtest(30, [("red", "lost", 1)])


# --- A draft configuration's color from a snapshot's stored inputs ---------------------------

DAY = dt.date(2026, 6, 1)
# Engagement, ROI and support green, sentiment yellow: (10 + 10 + 5) × 100 + 75 × 50 = 6250 / 100.
YELLOW_62_5 = {
    "segment": "enterprise",
    "arr": "120000.00",
    "last_held_meeting": "2026-05-20",
    "tickets_in_window": 0,
    "active_plan": True,
    "draft_plan": False,
    "sentiment": "yellow",
    "sentiment_date": "2026-05-25",
    "score_unrounded": "62.5",
}


def test_stored_inputs_give_the_stored_color_under_the_same_rules():
    assert backtest.stored_color(YELLOW_62_5, rules.ENTERPRISE_RULES, DAY) == "yellow"


def test_a_draft_threshold_above_the_score_turns_it_red_and_on_it_keeps_it_yellow():
    assert backtest.stored_color(YELLOW_62_5, rules.Rules(yellow_min_score=63), DAY) == "red"
    assert backtest.stored_color(YELLOW_62_5, rules.Rules(yellow_min_score=62), DAY) == "yellow"


def test_engagement_is_measured_from_the_snapshots_own_date():
    # 12 days after the meeting on the snapshot's day; 72 days later it is red: 5250 → 52.5.
    later = dt.date(2026, 7, 31)
    assert backtest.stored_color(YELLOW_62_5, rules.Rules(yellow_min_score=55), later) == "red"


def test_the_first_snapshots_plan_statuses_are_read_too():
    old = {k: v for k, v in YELLOW_62_5.items() if k not in ("active_plan", "draft_plan")}
    old["plan_statuses"] = ["active"]
    assert backtest.stored_color(old, rules.ENTERPRISE_RULES, DAY) == "yellow"


@pytest.mark.parametrize("stored", [None, {}, {"segment": "enterprise"}, {**YELLOW_62_5, "arr": "lots"}])
def test_inputs_that_cannot_be_read_give_no_color(stored):
    assert backtest.stored_color(stored, rules.ENTERPRISE_RULES, DAY) is None


def test_only_a_changed_support_window_blocks_the_recomputation():
    assert backtest.draft_blockers(rules.Rules(green_min_score=80), rules.Rules()) == []
    assert backtest.draft_blockers(rules.Rules(support_window_days=14), rules.Rules()) == ["support_window_days"]
