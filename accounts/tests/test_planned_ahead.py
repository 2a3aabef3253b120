"""A full run on SQLite with planner processes (accounts.scoring.ahead): the next chunks are read
and scored in forked processes while this one writes. It stores exactly what the run alone
stores; a commit by another connection during the run makes the chunks planned before it be read
again, after the lock; a failing planner leaves the run to score alone; no process is left.

The runs themselves are in processes of their own (accounts/tests/planned_run.py), on a copy of
this test's database in a SQLite file in WAL mode: planners are forked only from a single thread
and for a database file, and the suite's process is threaded and its database in memory."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from accounts.choices import Color
from accounts.models import Account, HealthChange, HealthSnapshot
from accounts.scoring import ahead, writes
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)

D = dt.date(2026, 11, 24)
CHUNK = 4
ACCOUNTS = 30  # 8 chunks


@pytest.fixture
def book(tmp_path):
    """ACCOUNTS accounts with varied inputs, copied into a SQLite file: (their ids, the file)."""
    if connection.vendor != "sqlite":
        pytest.skip("planner processes are SQLite's (PostgreSQL scores chunks in threads)")
    accounts = AccountFactory.create_batch(ACCOUNTS)
    colors = [Color.GREEN, Color.YELLOW, Color.RED]
    for i, account in enumerate(accounts):
        SentimentFactory(account=account, color=colors[i % 3], date=D - dt.timedelta(days=i))
        if i % 2:
            MeetingFactory(account=account, date=D - dt.timedelta(days=4 * i))
        TicketFactory.create_batch(i % 4, account=account, opened=D - dt.timedelta(days=2))
    path = tmp_path / "book.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return sorted(account.pk for account in accounts), path


def run(path, *options) -> dict:
    """A full run of D on the file, in a process of its own; what it printed."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "accounts.tests.planned_run", str(path), D.isoformat(), str(CHUNK), *options],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy(path, name: str):
    target = path.with_name(name)
    shutil.copy(path, target)
    return target


def stored(path) -> tuple:
    """What a scoring run writes, read from the file: the accounts' read model, the snapshots,
    the outbox."""
    columns = ", ".join(Account._meta.get_field(name).column for name in writes.READ_MODEL)
    db = sqlite3.connect(path)
    try:
        return (
            db.execute(f"SELECT id, {columns} FROM {Account._meta.db_table} ORDER BY id").fetchall(),
            db.execute(
                "SELECT account_id, date, score, color, measures, inputs, config_version_id "
                f"FROM {HealthSnapshot._meta.db_table} ORDER BY account_id, date"
            ).fetchall(),
            db.execute(
                f"SELECT account_id, old_color, new_color, as_of FROM {HealthChange._meta.db_table} "
                "ORDER BY account_id, as_of"
            ).fetchall(),
        )
    finally:
        db.close()


def test_planners_store_exactly_what_the_run_alone_stores(book):
    _, path = book
    alone_path, planned_path = copy(path, "alone.sqlite3"), copy(path, "planned.sqlite3")
    alone = run(alone_path, "--alone")
    planned = run(planned_path)
    assert stored(planned_path) == stored(alone_path)
    assert len(stored(planned_path)[1]) == ACCOUNTS  # every account has its snapshot of D
    assert planned["scored"] == alone["scored"] == ACCOUNTS
    # The first chunk is planned here (the planners are asked for the next ones as it is written).
    assert planned["logged"] == [f"Scoring run: {planned['chunks'] - 1} chunks planned ahead, 0 of them planned again"]
    assert planned["chunks"] == 8
    assert alone["logged"] == []
    assert planned["warned"] == []
    assert planned["children_left"] is False
    assert planned["threads"] == 1  # and the checkpoint thread has stopped


def test_a_commit_by_someone_else_during_the_run_makes_the_plans_made_before_it_read_again(book):
    ids, path = book
    # Committed once chunks 0 and 1 are: the planners are then planning chunks 2 and 3, from what
    # they read before it. The new sentiment is for an account of chunk 3.
    account = ids[3 * CHUNK + 1]
    injected = ["--inject-after", "2", "--inject-account", str(account), "--inject-color", Color.RED]
    before = next(row for row in stored(path)[0] if row[0] == account)
    alone_path, planned_path = copy(path, "alone.sqlite3"), copy(path, "planned.sqlite3")
    run(alone_path, "--alone", *injected)
    planned = run(planned_path, *injected)

    assert stored(planned_path) == stored(alone_path)
    sentiment = writes.READ_MODEL.index("sentiment_color") + 1
    after = next(row for row in stored(planned_path)[0] if row[0] == account)
    assert (before[sentiment], after[sentiment]) == (None, Color.RED)
    assert planned["logged"] == ["Scoring run: 7 chunks planned ahead, 2 of them planned again"]


def test_a_failing_planner_leaves_the_run_to_score_alone(book):
    _, path = book
    alone_path, planned_path = copy(path, "alone.sqlite3"), copy(path, "planned.sqlite3")
    run(alone_path, "--alone")
    planned = run(planned_path, "--planner-fails")

    assert stored(planned_path) == stored(alone_path)
    assert planned["logged"] == ["Scoring run: 0 chunks planned ahead, 0 of them planned again"]
    assert len(planned["warned"]) == ahead.PLANNERS
    assert all("a planner's failure, on purpose" in warning for warning in planned["warned"])
    assert planned["children_left"] is False


def test_no_planner_inside_a_transaction_or_for_a_database_in_memory():
    # The suite's SQLite database is in memory; PostgreSQL scores chunks in threads.
    assert ahead.possible() is False
    with transaction.atomic():
        assert ahead.possible() is False


def test_no_planner_is_forked_from_a_threaded_process():
    """A thread may hold a lock (SQLite's, the logging module's) that a fork would copy locked."""
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert ahead.started(2, lambda **kwargs: None) == []
    finally:
        release.set()
        other.join()
