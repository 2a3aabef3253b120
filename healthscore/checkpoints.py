"""SQLite's WAL checkpoints moved off a long run's path.

In WAL mode each commit appends its pages to the write-ahead log, and the committing connection
copies the log back into the database file (a checkpoint, with its fsyncs) once the log passes
`wal_autocheckpoint` pages (1,000 by default, 4 MiB). A daily scoring run writes about 100 MB of
snapshots in 20 chunk commits, so every commit checkpointed while the run waited: 1.5 s of an
8 s run at 100,000 accounts. `behind` turns the run's own checkpoints off and has a thread (with
a connection of its own) checkpoint after each commit instead. The copy and the fsyncs run in
SQLite's C code, which releases the GIL, so they overlap the next chunk's scorecard on the other
core. The checkpoints are PASSIVE: they never wait for, or block, a reader or a writer.

SQLite starts the log over only for a write transaction that begins when every frame has been
copied back. A run that never waits always begins its next chunk one checkpoint early, and the
log grows to the whole run (250 MB at 100,000 accounts, against 29 MB before); so every
SETTLE_EVERY commits the run waits for its checkpoint, and the log stays at about 50 MB.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

# Every this many commits, the caller waits for the checkpoint of its commit to finish, so that
# the log can start over (see committed() below): it stays within a few commits' pages.
SETTLE_EVERY = 4


@contextlib.contextmanager
def behind(alias: str = "default", *, settle_every: int = SETTLE_EVERY) -> Iterator[Callable[[], None]]:
    """Inside the block the connection `alias` does not checkpoint on commit; the caller calls the
    yielded function after each commit, and a thread checkpoints what that commit wrote. At the
    end the thread finishes its last checkpoint before the block returns, and the connection's
    own setting is restored. Elsewhere than SQLite in WAL mode, or inside a caller's transaction
    (nothing is committed until the caller commits), it does nothing."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block or not in_wal_mode(connection):
        yield lambda: None
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
    # Checkpoints asked for (one per commit) and begun: each waiter knows which one covers its
    # commit. `stopping` asks for a last one, begun after the last commit.
    cond = threading.Condition()
    asked = begun = done = 0
    stopping, working = False, True

    def pending() -> bool:
        return asked > begun or stopping

    def work() -> None:
        nonlocal begun, done, working
        try:
            while True:
                with cond:
                    cond.wait_for(pending)
                    begun, last = asked, stopping
                _checkpoint(alias)
                with cond:
                    done = begun
                    cond.notify_all()
                if last:
                    return
        except Exception:
            # Logged here, not raised: in a thread it would only reach stderr.
            logger.exception("The WAL checkpoint thread stopped; the log grows until the next checkpoint")
        finally:
            with cond:
                working = False  # nobody waits for a thread that stopped
                cond.notify_all()
            connections[alias].close()  # this thread's own connection

    def committed() -> None:
        nonlocal asked
        with cond:
            asked += 1
            mine = asked
            cond.notify_all()
            if mine % settle_every == 0:
                # SQLite rewinds the log only for a write transaction that begins when every frame
                # is already copied back; without this wait the next chunk always begins one
                # checkpoint early, and the log grows to the whole run (250 MB at 100,000).
                cond.wait_for(lambda: done >= mine or not working)

    worker = threading.Thread(target=work, name="wal-checkpoints", daemon=True)
    try:
        # Inside the try: whatever interrupts the block (an error, a time limit), the setting is
        # put back, and the thread is stopped if it started.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        worker.start()
        yield committed
    finally:
        try:
            with cond:
                stopping = True
                cond.notify_all()
            if worker.is_alive():
                worker.join()
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")


def in_wal_mode(connection) -> bool:
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
