"""An override set or cancelled while the nightly run scores the same account, with real
threads on PostgreSQL: both take the account's row lock, so whatever the interleaving the stored
color equals a fresh computation (the override in force, else the computed color) and the
recorded color changes form one unbroken chain (test_concurrency.py's pattern)."""

import datetime as dt
import random

import pytest

from accounts import overrides
from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs
from accounts.scoring import services as scoring
from accounts.tests import test_concurrency
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory
from accounts.tests.test_concurrency import assert_one_chain, run_together

# The concurrency tests' fixtures: PostgreSQL only, slowed reads, the changes recorded.
_postgresql_only = test_concurrency._postgresql_only
slow_reads = test_concurrency.slow_reads
recorded_changes = test_concurrency.recorded_changes

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fresh(account_ids, today):
    """Stored color, computed color and today's snapshot equal a fresh computation with the
    overrides in force applied."""
    fresh = dict(inputs.scorecards_compute(Account.objects.filter(pk__in=account_ids), today))
    in_force = inputs.overrides_in_force(inputs.AccountSet(ids=tuple(account_ids)), today)
    for account, result in fresh.items():
        color = in_force[account.pk].color if account.pk in in_force else result.color
        stored = Account.objects.get(pk=account.pk)
        snapshot = HealthSnapshot.objects.get(account=account, date=today)
        assert (stored.health_color, stored.computed_color, stored.health_score) == (
            color,
            result.color,
            result.score_rounded,
        ), account.pk
        assert (stored.override_until is not None) == (account.pk in in_force), account.pk
        assert (snapshot.color, "override" in snapshot.inputs) == (color, account.pk in in_force), account.pk


def test_an_override_set_or_cancelled_during_the_nightly_run_ends_in_a_fresh_computation(
    tam, manager, fixed_today, slow_reads, recorded_changes
):
    accounts = AccountFactory.create_batch(30, tam=tam, segment="enterprise", arr=100_000)
    for account in accounts:
        MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=10))
        SuccessPlanFactory(account=account, status="active")
        SentimentFactory(account=account, color="green", date=fixed_today - dt.timedelta(days=1))
    scoring.scores_recompute(as_of=fixed_today)
    target = accounts[17]
    ids = [a.pk for a in accounts]
    rng = random.Random(13)
    for round_ in range(10):
        color = rng.choice(("yellow", "red"))
        current = overrides.override_current(target, fixed_today)

        def write(current=current, color=color, round_=round_):
            if current is None:
                overrides.override_set(
                    account=target, color=color, reason=f"round {round_}", expires_on=fixed_today, by=manager
                )
            else:
                overrides.override_cancel(override=current, by=manager)

        run_together(lambda: scoring.scores_recompute(as_of=fixed_today, chunk_size=7), write)
        assert_fresh(ids, fixed_today)
    assert_one_chain(recorded_changes, target.pk)
    # The first score, then each round's override or cancellation moved the color once.
    assert len([c for c in recorded_changes if c.account_id == target.pk]) == 1 + 10
