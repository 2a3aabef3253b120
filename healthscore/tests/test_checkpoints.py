"""healthscore.checkpoints: a long run's WAL checkpoints done by a thread of its own. Checked on a
real SQLite file in WAL mode (the suite's own SQLite database is in memory, without a log): what
a commit wrote must reach the database file itself, which a reader opening the file alone
(`immutable=1` ignores the log) shows."""

import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

from healthscore import checkpoints

ROWS = 3000  # about 750 pages of the log (3 MB) per write


@pytest.fixture
def wal_file(tmp_path, django_db_blocker):
    """A second database alias: a SQLite file with the app's settings (WAL, synchronous=NORMAL),
    not the suite's test database, so reaching it needs no test transaction."""
    if connection.vendor != "sqlite":
        pytest.skip("the write-ahead log checkpoints are SQLite's")
    alias, path = "wal_file", tmp_path / "wal.sqlite3"
    configured = connections.configure_settings(
        {"default": settings.DATABASES["default"], alias: {**settings.DATABASES["default"], "NAME": str(path)}}
    )
    connections.settings[alias] = configured[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, padding TEXT)")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table itself is in the file
        yield alias, path
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def _write(alias: str, start: int) -> None:
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.executemany(
            "INSERT INTO t (id, padding) VALUES (%s, %s)", [(start + n, "x" * 1000) for n in range(ROWS)]
        )


def _in_file(path) -> int:
    """Rows the database file holds without its log: what checkpoints have copied."""
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return reader.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    finally:
        reader.close()


def _autocheckpoint(alias: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


def _set_autocheckpoint(alias: str, pages: int) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(f"PRAGMA wal_autocheckpoint = {pages}")


def test_without_a_checkpoint_the_rows_stay_in_the_log(wal_file):
    """The measure below can fail: a commit that nobody checkpoints is not in the file."""
    alias, path = wal_file
    _set_autocheckpoint(alias, 0)
    _write(alias, 0)
    assert _in_file(path) == 0


def test_each_commit_reaches_the_file_through_the_thread(wal_file):
    alias, path = wal_file
    _set_autocheckpoint(alias, 777)
    with checkpoints.behind(alias) as committed:
        # The run's own commits no longer checkpoint.
        assert _autocheckpoint(alias) == 0
        _write(alias, 0)
        committed()
        _write(alias, ROWS)
        committed()
    # The block returns after the thread's last checkpoint: both commits are in the file.
    assert _in_file(path) == 2 * ROWS
    assert _autocheckpoint(alias) == 777
    assert not _checkpoint_threads()


def test_an_error_inside_stops_the_thread_and_restores_the_setting(wal_file):
    alias, path = wal_file
    _set_autocheckpoint(alias, 1000)
    with pytest.raises(ZeroDivisionError), checkpoints.behind(alias) as committed:
        _write(alias, 0)
        committed()
        1 / 0  # noqa: B018
    assert _in_file(path) == ROWS
    assert _autocheckpoint(alias) == 1000


def test_inside_a_transaction_it_changes_nothing(wal_file):
    """A caller's transaction commits later, on its own: nothing to checkpoint yet."""
    alias, _ = wal_file
    _set_autocheckpoint(alias, 500)
    with transaction.atomic(using=alias), checkpoints.behind(alias) as committed:
        assert _autocheckpoint(alias) == 500
        committed()  # a no-op


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "wal-checkpoints"]


@pytest.mark.django_db(transaction=True)
def test_a_database_without_a_log_is_left_alone():
    """The suite's in-memory SQLite (and PostgreSQL) keep their settings and get no thread;
    outside a transaction, so only the log check can say no."""
    with checkpoints.behind() as committed:
        committed()
        assert not _checkpoint_threads()
        if connection.vendor == "sqlite":
            assert _autocheckpoint("default") != 0


def _log_bytes(path) -> int:
    return (path.parent / f"{path.name}-wal").stat().st_size


@pytest.mark.parametrize(("settle_every", "bounded"), [(1, True), (1000, False)])
def test_waiting_now_and_then_lets_the_log_start_over(wal_file, settle_every, bounded):
    """SQLite rewinds the log only for a write that begins once every frame is copied back. A
    caller that never waits always begins one checkpoint early and the log holds every commit;
    waiting after each commit (the engine waits after every SETTLE_EVERY) keeps it at one."""
    alias, path = wal_file
    with checkpoints.behind(alias, settle_every=settle_every) as committed:
        _write(alias, 0)
        committed()
        one = _log_bytes(path)
        for n in range(1, 5):
            _write(alias, n * ROWS)
            committed()
        grown = _log_bytes(path)
    assert (grown < 2 * one) is bounded
    assert _in_file(path) == 5 * ROWS


def test_a_thread_that_dies_leaves_no_one_waiting(wal_file, monkeypatch, caplog):
    """A checkpoint that raises something unexpected stops the thread: the run goes on (its waits
    return), the failure is logged, and the setting is put back."""
    alias, path = wal_file
    _set_autocheckpoint(alias, 1000)

    def broken(alias):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checkpoints, "_checkpoint", broken)
    with checkpoints.behind(alias, settle_every=1) as committed:
        _write(alias, 0)
        committed()  # waits for a checkpoint that never comes: must return
        _write(alias, ROWS)
        committed()
    assert "The WAL checkpoint thread stopped" in caplog.text
    assert _autocheckpoint(alias) == 1000
    assert not _checkpoint_threads()
