import datetime as dt

import pytest

from accounts.models import Account
from accounts.scoring import rules, staleness
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
    in_db = set(Account.objects.filter(staleness.stale_q(D)).values_list("pk", flat=True))
    by_rule = {a.pk for a in Account.objects.all() if rules.health_is_stale(a.segment, a.health_date, D)}
    assert in_db == by_rule and len(in_db) == 6
    # The form the dashboard counts with selects the very same accounts, on either database.
    assert set(Account.objects.filter(staleness.stale_ids_q(D)).values_list("pk", flat=True)) == by_rule


@pytest.mark.django_db
def test_the_stale_count_reads_the_index_not_every_account():
    """On SQLite the dashboard's stale count must not scan the accounts (stale_q's OR of ANDs did)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan; PostgreSQL plans stale_q as a bitmap OR")
    sql, params = Account.objects.filter(staleness.stale_ids_q(D)).values("region").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    assert "MULTI-INDEX OR" in plan
    assert not any(step.startswith("SCAN") for step in plan), plan


@pytest.mark.parametrize(
    "onboarding,days_ago,missed",
    [(True, 7, False), (True, 8, True), (False, 30, False), (False, 31, True), (False, None, True)],
)
def test_cadence_is_weekly_while_onboarding_and_monthly_otherwise(onboarding, days_ago, missed):
    last = None if days_ago is None else D - dt.timedelta(days=days_ago)
    assert rules.cadence_missed(onboarding, last, D) is missed
