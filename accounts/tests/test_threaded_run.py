"""The full run scores chunks in worker threads on PostgreSQL (accounts.scoring.runs.
chunks_scored): it stores exactly what the one-by-one run stores, counts every chunk once,
stops at the first failure with the chunks before it committed, and leaves no connection open."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection

from accounts import events
from accounts.models import Account, Color, HealthChange, HealthSnapshot
from accounts.scoring import services as scoring
from accounts.scoring import writes
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory
from healthscore import checkpoints

pytestmark = pytest.mark.django_db(transaction=True)

D = dt.date(2026, 11, 24)


@pytest.fixture
def book():
    accounts = AccountFactory.create_batch(17)
    for i, account in enumerate(accounts):
        SentimentFactory(account=account, color=[Color.GREEN, Color.YELLOW, Color.RED][i % 3], date=D)
        if i % 2:
            MeetingFactory(account=account, date=D - dt.timedelta(days=5 * i))
        TicketFactory.create_batch(i % 4, account=account, opened=D - dt.timedelta(days=2))
    return accounts


def stored() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("pk", *writes.READ_MODEL)),
        list(
            HealthSnapshot.objects.order_by("account_id", "date").values_list(
                "account_id", "date", "score", "color", "measures", "inputs"
            )
        ),
        sorted(HealthChange.objects.values_list("account_id", "old_color", "new_color", "as_of")),
    )


def worker_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("scoring-")}


def test_threads_store_exactly_what_the_one_by_one_run_stores(book):
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=4, threads=1)
    before = {row["pk"]: row for row in Account.objects.values("pk", *writes.READ_MODEL)}
    one_by_one_counts = []
    scoring.scores_recompute(as_of=D, chunk_size=4, threads=1, progress=one_by_one_counts.append)
    one_by_one = stored()
    # Back to the eve of D, then the same run in threads.
    HealthSnapshot.objects.filter(date=D).delete()
    HealthChange.objects.filter(as_of=D).delete()
    for pk, row in before.items():
        Account.objects.filter(pk=pk).update(**{k: v for k, v in row.items() if k != "pk"})
    threaded_counts = []
    assert scoring.scores_recompute(as_of=D, chunk_size=4, threads=3, progress=threaded_counts.append) == 17
    assert stored() == one_by_one
    assert HealthChange.objects.filter(as_of=D).exists()  # the day moved colors: the outbox compares too
    assert sorted(threaded_counts) == sorted(one_by_one_counts) == [1, 4, 4, 4, 4]
    assert worker_threads() == set()


def test_the_threads_run_only_where_they_can(book, monkeypatch):
    seen = []
    score = scoring.chunk_score

    def spy(**kwargs):
        seen.append(threading.current_thread().name)
        return score(**kwargs)

    monkeypatch.setattr(scoring, "chunk_score", spy)
    scoring.scores_recompute(as_of=D, chunk_size=4, threads=2)
    on_postgresql = connection.vendor == "postgresql"
    assert all(name.startswith("scoring-") for name in seen) == on_postgresql
    seen.clear()
    scoring.scores_recompute(as_of=D, chunk_size=50, threads=2)  # a single chunk
    assert seen == [threading.current_thread().name]


def test_the_first_failure_stops_the_run_and_is_raised(book, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the chunks run in threads on PostgreSQL only")
    score = scoring.chunk_score
    third = sorted(Account.objects.values_list("pk", flat=True))[8]

    def failing(**kwargs):
        if kwargs["which"].lo <= third <= kwargs["which"].hi:
            raise RuntimeError("chunk failed")
        return score(**kwargs)

    monkeypatch.setattr(scoring, "chunk_score", failing)
    with events.deferred(), pytest.raises(RuntimeError, match="chunk failed"):
        scoring.scores_recompute(as_of=D, chunk_size=4, threads=2)
    assert worker_threads() == set()
    scored = set(HealthSnapshot.objects.filter(date=D).values_list("account_id", flat=True))
    failed_chunk = set(sorted(Account.objects.values_list("pk", flat=True))[8:12])
    assert not scored & failed_chunk  # the failing chunk's transaction rolled back
    assert len(scored) <= 17 - 4
    # A second run completes the day.
    monkeypatch.setattr(scoring, "chunk_score", score)
    assert scoring.scores_recompute(as_of=D, chunk_size=4, threads=2) == 17
    assert HealthSnapshot.objects.filter(date=D).count() == 17


def test_each_chunk_is_handed_to_the_checkpoints_after_its_commit(book, monkeypatch):
    """On SQLite a thread copies each chunk's commit out of the write-ahead log
    (healthscore.checkpoints, tested on a real log there): the run tells it after every commit,
    never inside a chunk's transaction, and leaves the block before it returns."""
    told = []

    @contextlib.contextmanager
    def behind():
        yield lambda: told.append((connection.in_atomic_block, HealthSnapshot.objects.filter(date=D).count()))
        told.append("done")

    monkeypatch.setattr(checkpoints, "behind", behind)
    scoring.scores_recompute(as_of=D, chunk_size=4, threads=1)
    # 17 accounts in chunks of 4: five commits, each seen committed when the thread is told.
    assert told == [(False, 4), (False, 8), (False, 12), (False, 16), (False, 17), "done"]
