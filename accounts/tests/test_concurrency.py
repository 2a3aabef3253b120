"""Two writers of the same account's health, with real threads on PostgreSQL: whatever the
interleaving, the stored health and today's snapshot end equal to a fresh computation, and the
color changes recorded (what the outbox receives) form one unbroken chain ending at the stored
color, so exactly the right notifications follow."""

import datetime as dt
import random
import threading
import time

import pytest
from django.db import connection

from accounts import events, services
from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SuccessPlanFactory

pytestmark = pytest.mark.django_db(transaction=True)

COLORS = ("green", "yellow", "red")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; row locks need PostgreSQL")


@pytest.fixture
def slow_reads(monkeypatch):
    """Widen the race window: every read of the inputs waits a little, as under load."""
    read = inputs.read_inputs

    def slow(*args, **kwargs):
        time.sleep(random.uniform(0.005, 0.03))
        return read(*args, **kwargs)

    monkeypatch.setattr(inputs, "read_inputs", slow)


@pytest.fixture
def recorded_changes(monkeypatch):
    """The color changes handed to the outbox, in commit order of their transactions."""
    changes = []
    lock = threading.Lock()
    record = events.health_changes_record

    def recording(batch):
        with lock:
            changes.extend(batch)
        record(batch)

    monkeypatch.setattr(events, "health_changes_record", recording)
    return changes


def run_together(*jobs):
    start = threading.Barrier(len(jobs))
    errors = []

    def runner(job):
        try:
            start.wait()
            job()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def assert_current(account_ids, today):
    """Stored health (its confidence too) and today's snapshot equal a fresh computation, for every account."""
    for account, result, confidence in inputs.scorecards_explain(Account.objects.filter(pk__in=account_ids), today):
        stored = Account.objects.get(pk=account.pk)
        snapshot = HealthSnapshot.objects.get(account=account, date=today)
        assert (stored.health_color, stored.health_score) == (result.color, result.score_rounded), account.pk
        assert (snapshot.color, snapshot.score) == (result.color, result.score_rounded), account.pk
        percent = None if confidence is None else confidence.percent
        assert stored.health_confidence == snapshot.inputs["confidence"] == percent, account.pk


def assert_one_chain(changes, account_id):
    """Each recorded change starts from where the previous one ended; the last is the stored color."""
    mine = [c for c in changes if c.account_id == account_id]
    for before, after in zip(mine, mine[1:], strict=False):
        assert after.old == before.new, mine
    if mine:
        assert mine[-1].new == Account.objects.get(pk=account_id).health_color


def test_two_tams_saving_the_same_account_at_once_end_in_a_fresh_computation(
    tam, fixed_today, slow_reads, recorded_changes
):
    account = AccountFactory(tam=tam, segment="enterprise", arr=100_000)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=40))
    SuccessPlanFactory(account=account, status="draft")
    scoring.scores_recompute(as_of=fixed_today)
    rng = random.Random(7)
    for _ in range(12):
        first, second = rng.sample(COLORS, 2)
        run_together(
            lambda c=first: services.sentiment_update(account=account, color=c, reason="call went so", by=tam),
            lambda c=second: services.sentiment_update(account=account, color=c, reason="then this", by=tam),
        )
        assert_current([account.pk], fixed_today)
    assert_one_chain(recorded_changes, account.pk)


@pytest.mark.parametrize("threads", [1, 2], ids=["one-chunk-at-a-time", "two-chunks-at-once"])
def test_a_save_during_the_nightly_run_is_not_lost(tam, fixed_today, slow_reads, recorded_changes, threads):
    accounts = AccountFactory.create_batch(60, tam=tam, segment="enterprise", arr=100_000)
    for account in accounts:
        MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=10))
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=1))
    rng = random.Random(11)
    saved = rng.sample(accounts, 8)

    def saves():
        for account in saved:
            services.sentiment_update(account=account, color=rng.choice(COLORS), reason="new read", by=tam)

    def nightly():
        scoring.scores_recompute(as_of=fixed_today, chunk_size=7, threads=threads)

    run_together(nightly, saves)
    ids = [a.pk for a in accounts]
    assert_current(ids, fixed_today)
    for account_id in ids:
        assert_one_chain(recorded_changes, account_id)
