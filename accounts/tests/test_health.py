import datetime as dt

import pytest

from accounts.models import Account
from accounts.scoring import inputs, rules
from accounts.tests.factories import AccountFactory

D = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (D, 1, dt.date(2026, 10, 24)),
        (dt.date(2026, 5, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 1, 15), 3, dt.date(2025, 10, 15)),
        (dt.date(2024, 5, 31), 3, dt.date(2024, 2, 29)),
    ],
)
def test_months_before(day, months, expected):
    assert rules.months_before(day, months) == expected


@pytest.mark.parametrize(
    "segment,health_date,stale",
    [
        ("enterprise", dt.date(2026, 10, 24), False),
        ("enterprise", dt.date(2026, 10, 23), True),
        ("commercial", dt.date(2026, 8, 24), False),
        ("commercial", dt.date(2026, 8, 23), True),
        ("commercial", None, True),
    ],
)
def test_health_is_stale_after_a_month_or_a_quarter(segment, health_date, stale):
    assert rules.health_is_stale(segment, health_date, D) is stale


@pytest.mark.django_db
def test_stale_filter_matches_the_rule():
    dates = [None, dt.date(2026, 10, 24), dt.date(2026, 10, 23), dt.date(2026, 8, 24), dt.date(2026, 8, 23)]
    for segment in ("enterprise", "commercial"):
        for d in dates:
            AccountFactory(segment=segment, health_date=d)
    in_db = set(Account.objects.filter(inputs.stale_q(D)).values_list("pk", flat=True))
    by_rule = {a.pk for a in Account.objects.all() if rules.health_is_stale(a.segment, a.health_date, D)}
    assert in_db == by_rule and len(in_db) == 6


@pytest.mark.parametrize(
    "onboarding,days_ago,missed",
    [(True, 7, False), (True, 8, True), (False, 30, False), (False, 31, True), (False, None, True)],
)
def test_cadence_is_weekly_while_onboarding_and_monthly_otherwise(onboarding, days_ago, missed):
    last = None if days_ago is None else D - dt.timedelta(days=days_ago)
    assert rules.cadence_missed(onboarding, last, D) is missed
