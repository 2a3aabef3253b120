"""A full run with forked processes (accounts.scoring.processes).

On SQLite, planners read and score the next chunks while the run writes: the run stores exactly
what the run alone stores; a commit by another connection during the run makes the plans made
before it be read again, after the lock; a failing planner leaves the run to go on without it.
On PostgreSQL, worker processes score and commit whole chunks: they store exactly what the
worker threads store, and the first failure stops the run and is raised. No process is left.

The runs are in processes of their own (accounts/tests/forked_run.py): this suite turns forking
off for its own process, where its spies live. On SQLite they run on copies of this test's
database in SQLite files in WAL mode (the suite's database is in memory); on PostgreSQL on the
test database itself."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from accounts.choices import Color
from accounts.models import Account, HealthChange, HealthSnapshot
from accounts.scoring import processes, writes
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)

D = dt.date(2026, 11, 24)
CHUNK = 4
ACCOUNTS = 30  # 8 chunks


@pytest.fixture
def book():
    """ACCOUNTS accounts with varied inputs; their ids in order."""
    accounts = AccountFactory.create_batch(ACCOUNTS)
    colors = [Color.GREEN, Color.YELLOW, Color.RED]
    for i, account in enumerate(accounts):
        SentimentFactory(account=account, color=colors[i % 3], date=D - dt.timedelta(days=i))
        if i % 2:
            MeetingFactory(account=account, date=D - dt.timedelta(days=4 * i))
        TicketFactory.create_batch(i % 4, account=account, opened=D - dt.timedelta(days=2))
    return sorted(account.pk for account in accounts)


@pytest.fixture
def book_file(book, tmp_path):
    """The book copied into a SQLite file: a function giving a fresh copy of it by name."""
    if connection.vendor != "sqlite":
        pytest.skip("planner processes are SQLite's")
    path = tmp_path / "book.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()

    def copy(name: str):
        shutil.copy(path, tmp_path / name)
        return tmp_path / name

    return copy


def run(database_url: str, *options) -> dict:
    """A full run of D in a process of its own; what it printed."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "accounts.tests.forked_run", database_url, D.isoformat(), str(CHUNK), *options],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored(cursor) -> tuple:
    """What a scoring run writes: the accounts' read model, the snapshots, the outbox."""
    columns = ", ".join(Account._meta.get_field(name).column for name in writes.READ_MODEL)
    found = []
    for sql in (
        f"SELECT id, {columns} FROM {Account._meta.db_table} ORDER BY id",
        "SELECT account_id, date, score, color, measures, inputs, config_version_id "
        f"FROM {HealthSnapshot._meta.db_table} ORDER BY account_id, date",
        f"SELECT account_id, old_color, new_color, as_of FROM {HealthChange._meta.db_table} ORDER BY account_id, as_of",
    ):
        cursor.execute(sql)
        found.append(cursor.fetchall())
    return tuple(found)


def stored_in(path) -> tuple:
    db = sqlite3.connect(path)
    try:
        return stored(db.cursor())
    finally:
        db.close()


# --- SQLite: planners --------------------------------------------------------------------------


def test_planners_store_exactly_what_the_run_alone_stores(book_file):
    alone_path, planned_path = book_file("alone.sqlite3"), book_file("planned.sqlite3")
    alone = run(f"sqlite:///{alone_path}", "--alone")
    planned = run(f"sqlite:///{planned_path}")
    assert stored_in(planned_path) == stored_in(alone_path)
    assert len(stored_in(planned_path)[1]) == ACCOUNTS  # every account has its snapshot of D
    assert planned["scored"] == alone["scored"] == ACCOUNTS
    # The first chunk is planned here (the planners are asked for the next ones as it is written).
    assert planned["chunks"] == 8
    assert planned["logged"] == ["Scoring run: 7 chunks planned ahead, 0 of them planned again"]
    assert alone["logged"] == []
    assert planned["warned"] == []
    assert planned["children_left"] is False
    assert planned["threads"] == 1  # and the checkpoint thread has stopped


def test_a_commit_by_someone_else_during_the_run_makes_the_plans_made_before_it_read_again(book, book_file):
    # Committed once chunks 0 and 1 are: the planners are then planning chunks 2 and 3, from what
    # they read before it. The new sentiment is for an account of chunk 3.
    account = book[3 * CHUNK + 1]
    injected = ["--inject-after", "2", "--inject-account", str(account), "--inject-color", Color.RED]
    alone_path, planned_path = book_file("alone.sqlite3"), book_file("planned.sqlite3")
    before = next(row for row in stored_in(planned_path)[0] if row[0] == account)
    run(f"sqlite:///{alone_path}", "--alone", *injected)
    planned = run(f"sqlite:///{planned_path}", *injected)

    assert stored_in(planned_path) == stored_in(alone_path)
    sentiment = writes.READ_MODEL.index("sentiment_color") + 1
    after = next(row for row in stored_in(planned_path)[0] if row[0] == account)
    assert (before[sentiment], after[sentiment]) == (None, Color.RED)
    assert planned["logged"] == ["Scoring run: 7 chunks planned ahead, 2 of them planned again"]


def test_a_commit_of_the_run_s_own_connection_between_chunks_makes_the_plans_read_again(book, book_file):
    """data_version does not move for this connection's own commits: a progress callback that
    writes (the daily pipeline's does) is caught by the connection's change count instead."""
    account = book[3 * CHUNK + 1]
    injected = ["--inject-after", "2", "--inject-account", str(account), "--inject-color", Color.RED, "--inject-here"]
    alone_path, planned_path = book_file("alone.sqlite3"), book_file("planned.sqlite3")
    run(f"sqlite:///{alone_path}", "--alone", *injected)
    planned = run(f"sqlite:///{planned_path}", *injected)

    assert stored_in(planned_path) == stored_in(alone_path)
    sentiment = writes.READ_MODEL.index("sentiment_color") + 1
    assert next(row for row in stored_in(planned_path)[0] if row[0] == account)[sentiment] == Color.RED
    assert planned["logged"] == ["Scoring run: 7 chunks planned ahead, 2 of them planned again"]


def test_a_failing_planner_leaves_the_run_to_go_on_without_it(book, book_file):
    alone_path, planned_path = book_file("alone.sqlite3"), book_file("planned.sqlite3")
    run(f"sqlite:///{alone_path}", "--alone")
    planned = run(f"sqlite:///{planned_path}", "--fail-account", str(book[2 * CHUNK]))

    assert stored_in(planned_path) == stored_in(alone_path)
    assert planned["scored"] == ACCOUNTS
    assert len(planned["warned"]) == 1
    assert "a forked process's failure, on purpose" in planned["warned"][0]
    # Chunk 2 was planned again here; the other planner went on with the rest.
    assert planned["logged"] == ["Scoring run: 6 chunks planned ahead, 0 of them planned again"]
    assert planned["children_left"] is False


@pytest.mark.parametrize(
    "options, warning",
    [
        (["--die-account", "CHUNK2"], "stopped answering"),
        (["--slow", "0.3", "--answer-timeout", "0.1"], "gave no answer in 0 s"),
    ],
    ids=["a planner ends", "planners too slow"],
)
def test_a_planner_that_ends_or_does_not_answer_is_left_out(book, book_file, options, warning):
    options = [str(book[2 * CHUNK]) if option == "CHUNK2" else option for option in options]
    alone_path, planned_path = book_file("alone.sqlite3"), book_file("planned.sqlite3")
    run(f"sqlite:///{alone_path}", "--alone")
    planned = run(f"sqlite:///{planned_path}", *options)

    assert stored_in(planned_path) == stored_in(alone_path)
    assert planned["scored"] == ACCOUNTS
    assert planned["warned"] and all(warning in text for text in planned["warned"])
    assert planned["children_left"] is False


@pytest.mark.parametrize(
    "option, logged",
    [
        ("--thread", ["A scoring run forks no process: this process has other threads (MainThread, another-thread)"]),
        ("--in-transaction", []),
    ],
    ids=["another thread runs", "inside the caller's transaction"],
)
def test_nothing_is_forked_from_a_threaded_process_or_inside_a_transaction(book_file, option, logged):
    """A thread may hold a lock (SQLite's, the logging module's) that a fork would copy locked; a
    caller's transaction must see every chunk, and its connection must not be closed."""
    alone_path, path = book_file("alone.sqlite3"), book_file("other.sqlite3")
    run(f"sqlite:///{alone_path}", "--alone")
    out = run(f"sqlite:///{path}", option)
    assert stored_in(path) == stored_in(alone_path)
    assert out["logged"] == logged
    assert out["children_left"] is False


def test_no_planner_for_a_database_in_memory():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no planners")
    assert connection.is_in_memory_db()  # the suite's SQLite database
    assert processes.planners_possible() is False


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_time_limit_raised_while_the_run_waits_is_the_caller_s(book, tmp_path, database):
    """Celery's soft time limit is an exception raised by a signal handler, most likely while the
    run waits for a forked process: it must reach the caller, and no process may be left."""
    if connection.vendor != database:
        pytest.skip(f"the {database} run")
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'book.sqlite3'}"
        connection.ensure_connection()
        target = sqlite3.connect(tmp_path / "book.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        url = database_url()
    out = run(url, "--slow", "0.3", "--interrupt-after", "0.5")
    assert out["error_type"] == "Interrupted"
    assert out["children_left"] is False


# --- PostgreSQL: worker processes --------------------------------------------------------------


def database_url() -> str:
    """This test database, as DATABASE_URL says it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def eve_kept() -> dict:
    return {row["pk"]: row for row in Account.objects.values("pk", *writes.READ_MODEL)}


def eve_restored(eve: dict) -> None:
    HealthSnapshot.objects.filter(date=D).delete()
    HealthChange.objects.filter(as_of=D).delete()
    for pk, row in eve.items():
        Account.objects.filter(pk=pk).update(**{k: v for k, v in row.items() if k != "pk"})


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are PostgreSQL's (SQLite has one writer)")


def test_worker_processes_store_exactly_what_worker_threads_store_however_slow(postgresql, book):
    scoring.scores_recompute(as_of=D - dt.timedelta(days=1), chunk_size=CHUNK)
    eve = eve_kept()
    scoring.scores_recompute(as_of=D, chunk_size=CHUNK, threads=2)  # threads: this process forks nothing
    with connection.cursor() as cursor:
        in_threads = stored(cursor)
    assert HealthChange.objects.filter(as_of=D).exists()  # the day moved colors: the outbox compares too
    eve_restored(eve)

    # Each chunk takes longer than a planner may (0.05 s): a chunk may wait on row locks (an
    # import holds them for its whole transaction), as a worker thread's did, so a slow worker is
    # waited for, not killed.
    forked = run(database_url(), "--slow", "0.1", "--answer-timeout", "0.05")
    with connection.cursor() as cursor:
        assert stored(cursor) == in_threads
    assert forked["scored"] == ACCOUNTS
    assert forked["logged"] == ["Scoring run: 8 chunks scored in 2 worker processes"]
    assert forked["warned"] == []
    assert forked["children_left"] is False
    assert forked["threads"] == 1


@pytest.mark.parametrize(
    "option, error",
    [("--fail-account", "a forked process's failure, on purpose"), ("--die-account", "stopped answering")],
    ids=["a chunk raises", "a worker ends"],
)
def test_a_failure_in_a_worker_process_stops_the_run_and_is_raised(postgresql, book, option, error):
    failing = book[2 * CHUNK : 3 * CHUNK]  # chunk 2
    forked = run(database_url(), option, str(failing[1]))

    assert error in forked["error"]
    assert forked["error_type"] == "RuntimeError"
    assert forked["children_left"] is False
    scored = set(HealthSnapshot.objects.filter(date=D).values_list("account_id", flat=True))
    assert not scored & set(failing)  # the failing chunk's transaction rolled back
    assert set(book[: 2 * CHUNK]) <= scored  # chunks 0 and 1 were done before chunk 2 was handed out
    assert 2 <= forked["chunks"] < 8  # and no chunk is handed out after the failure is seen
    assert len(scored) == forked["chunks"] * CHUNK
    # A second run completes the day.
    assert scoring.scores_recompute(as_of=D, chunk_size=CHUNK) == ACCOUNTS
    assert HealthSnapshot.objects.filter(date=D).count() == ACCOUNTS
