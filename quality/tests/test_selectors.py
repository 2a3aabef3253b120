"""The backtest's reads: the color each account had N days before its renewal, set-based."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.scoring import rules
from accounts.tests.factories import AccountFactory
from quality import selectors
from quality.tests.factories import RenewalOutcomeFactory, snapshot

RENEWAL = dt.date(2026, 10, 1)
PERIOD = selectors.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))

pytestmark = pytest.mark.django_db


def _renewal(color_by_date: dict, outcome: str = "renewed", date: dt.date = RENEWAL, **account):
    acc = AccountFactory(**account)
    for day, color in color_by_date.items():
        snapshot(acc, day, color, sentiment={"green": "green", "yellow": "yellow", "red": "red", None: None}[color])
    arr = Decimal(0) if outcome == "churned" else Decimal(1000)
    RenewalOutcomeFactory(account=acc, date=date, outcome=outcome, arr=arr)
    return acc


def test_the_color_then_is_the_latest_snapshot_on_or_before_the_day_n_days_before():
    before = lambda days: RENEWAL - dt.timedelta(days=days)  # noqa: E731
    # On the very day 30 days before: counts for 30 (and a later one, 29 days before, does not).
    _renewal({before(90): "green", before(30): "red", before(29): "green"}, "churned")
    # Only a snapshot 95 days before: it is the color at every horizon.
    _renewal({before(95): "yellow"}, "downsell")
    # Scored only 10 days before: unscored at every horizon.
    _renewal({before(10): "red"}, "renewed")
    by_horizon = selectors.backtests_recorded(PERIOD)
    assert by_horizon[30].row("red").counts["churned"] == 1
    assert by_horizon[60].row("green").counts["churned"] == 1
    assert by_horizon[90].row("green").counts["churned"] == 1
    for h in (30, 60, 90):
        assert by_horizon[h].row("yellow").counts["downsell"] == 1
        assert by_horizon[h].row("unscored").counts["renewed"] == 1
        assert by_horizon[h].total == 3


def test_the_period_and_the_segment_choose_the_renewals():
    _renewal({RENEWAL - dt.timedelta(days=40): "red"}, "churned")
    _renewal({RENEWAL - dt.timedelta(days=40): "red"}, "churned", date=dt.date(2026, 8, 31))  # before the period
    _renewal({RENEWAL - dt.timedelta(days=40): "green"}, "renewed", segment="commercial")
    assert selectors.backtests_recorded(PERIOD)[30].total == 2
    only_enterprise = selectors.Period(PERIOD.start, PERIOD.end, "enterprise")
    result = selectors.backtests_recorded(only_enterprise)[30]
    assert (result.total, result.row("red").counts["churned"]) == (1, 1)


def test_one_query_for_the_three_horizons_whatever_the_number_of_renewals(django_assert_num_queries):
    def run():
        selectors.backtests_recorded(PERIOD)
        selectors.backtests_compared(PERIOD, rules.Rules(green_min_score=90))

    run()  # SQLite asks once per connection whether it has JSON functions
    for n in (2, 12):
        while selectors.renewals_in(PERIOD).count() < n:
            _renewal({RENEWAL - dt.timedelta(days=100): "green", RENEWAL - dt.timedelta(days=45): "red"}, "churned")
        with django_assert_num_queries(2):
            run()


def test_a_draft_threshold_moves_exactly_the_expected_renewal_to_red():
    day = RENEWAL - dt.timedelta(days=35)
    # Score 62.5 (sentiment yellow, the rest green): yellow now, red under yellow_min_score 63.
    moving = AccountFactory()
    snapshot(moving, day, "yellow", sentiment="yellow")
    RenewalOutcomeFactory(account=moving, date=RENEWAL, outcome="churned", arr=0)
    # Score 100 (green) and 25 (red: sentiment red): the draft leaves both.
    green, red = AccountFactory(), AccountFactory()
    snapshot(green, day, "green", sentiment="green")
    snapshot(red, day, "red", sentiment="red")
    RenewalOutcomeFactory(account=green, date=RENEWAL, outcome="renewed")
    RenewalOutcomeFactory(account=red, date=RENEWAL, outcome="downsell", arr=500)

    compared = selectors.backtests_compared(PERIOD, rules.Rules(yellow_min_score=63))[30]

    assert compared.moved == 1
    assert compared.recorded.row("yellow").counts["churned"] == 1
    assert compared.draft.row("yellow").total == 0
    assert compared.draft.row("red").counts == {"renewed": 0, "expanded": 0, "downsell": 1, "churned": 1}
    assert compared.draft.row("green").counts["renewed"] == 1
    # Red caught one loss of two as recorded, both under the draft; it was right each time.
    assert (compared.recorded.precision, compared.recorded.recall) == (1, 0.5)
    assert (compared.draft.precision, compared.draft.recall) == (1, 1)


def test_the_same_rules_give_the_recorded_figures_back():
    day = RENEWAL - dt.timedelta(days=35)
    for color, outcome in (("yellow", "churned"), ("green", "renewed"), ("red", "downsell")):
        acc = AccountFactory()
        snapshot(acc, day, color, sentiment=color)
        RenewalOutcomeFactory(account=acc, date=RENEWAL, outcome=outcome, arr=0 if outcome == "churned" else 10)
    compared = selectors.backtests_compared(PERIOD, rules.ENTERPRISE_RULES)[30]
    assert compared.moved == 0
    assert compared.draft == compared.recorded == selectors.backtests_recorded(PERIOD)[30]
