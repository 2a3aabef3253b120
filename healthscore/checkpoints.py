"""SQLite's WAL checkpoints moved off a long run's path.

In WAL mode each commit appends its pages to the write-ahead log, and the committing connection
copies the log back into the database file (a checkpoint, with its fsyncs) once the log passes
`wal_autocheckpoint` pages (1,000 by default, 4 MiB). A daily scoring run writes about 100 MB of
snapshots in 20 chunk commits, so every commit checkpointed while the run waited: 1.5 s of an
8 s run at 100,000 accounts. `behind` turns the run's own checkpoints off and has a thread (with
a connection of its own) checkpoint after each commit instead. The copy and the fsyncs run in
SQLite's C code, which releases the GIL, so they overlap the next chunk's scorecard on the other
core. The checkpoints are PASSIVE: they never wait for, or block, a reader or a writer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def behind(alias: str = "default") -> Iterator[Callable[[], None]]:
    """Inside the block the connection `alias` does not checkpoint on commit; the caller calls the
    yielded function after each commit, and a thread checkpoints what that commit wrote. At the
    end the thread finishes its last checkpoint before the block returns, and the connection's
    own setting is restored. Elsewhere than SQLite in WAL mode, or inside a transaction (whose
    commit is the caller's caller's), it does nothing."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block or not _in_wal_mode(connection):
        yield lambda: None
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    wanted = threading.Event()
    stop = threading.Event()

    def work() -> None:
        try:
            while True:
                wanted.wait()
                wanted.clear()
                # Read before the checkpoint: one that began before the block ended may have
                # missed the last commit, so the thread stops only after one that began after.
                last = stop.is_set()
                _checkpoint(alias)
                if last:
                    return
        finally:
            connections[alias].close()  # this thread's own connection

    worker = threading.Thread(target=work, name="wal-checkpoints", daemon=True)
    worker.start()
    try:
        yield wanted.set
    finally:
        stop.set()
        wanted.set()
        worker.join()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def _in_wal_mode(connection) -> bool:
    """Whether the database keeps a write-ahead log (an in-memory one, as in tests, has none)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0].lower() == "wal"


def _checkpoint(alias: str) -> None:
    """One PASSIVE checkpoint on this thread's connection. A failure is logged, not raised: the
    log stays in the WAL file, and the next checkpoint (this thread's, or any connection's
    automatic one) copies it; nothing is lost."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("WAL checkpoint failed; a later one will copy the log")
