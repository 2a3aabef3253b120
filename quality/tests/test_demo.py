"""seed_demo records renewal outcomes that make the Scorecard quality page meaningful."""

import datetime as dt

import pytest
from django.core.management import call_command

from quality import selectors
from quality.models import RenewalOutcome

pytestmark = pytest.mark.django_db


def test_seed_demo_records_past_renewals_where_red_predicts_churn_imperfectly(fixed_today):
    call_command("seed_demo", accounts=120, verbosity=0)
    outcomes = RenewalOutcome.objects.all()
    assert 30 < outcomes.count() < 90
    assert all(fixed_today - dt.timedelta(days=42) <= o.date < fixed_today for o in outcomes)
    assert {o.outcome for o in outcomes} == {"renewed", "expanded", "downsell", "churned"}
    assert all((o.arr == 0) == (o.outcome == "churned") for o in outcomes)
    period = selectors.Period(fixed_today - dt.timedelta(days=365), fixed_today)
    results = selectors.backtests_recorded(period)
    for result in results.values():
        assert result.unscored == 0  # every renewal has a color 90 days before it
    at_60 = results[60]
    # Red churns more often than green, but red is no certainty and green no guarantee.
    assert at_60.row("red").churn_rate > at_60.row("green").churn_rate
    assert at_60.row("red").loss_rate > at_60.row("green").loss_rate > 0
    assert 0 < at_60.precision < 1 and 0 < at_60.recall < 1
