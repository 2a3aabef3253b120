"""On SQLite, a full run's next chunks read and scored in other processes while this one writes.

SQLite has one writer, and a Python process computes on one core: alone, a run reads a chunk's
inputs, computes its scorecards and writes it, one after the other (5.9 s at 100,000 accounts,
of which the reads and the scorecards are 3.4 s). Here PLANNERS forked processes plan the next
chunks (accounts.scoring.services.chunk_plan: it reads and computes, and writes nothing) while
this process writes the current one: 3.7-3.8 s, measured in bench/recompute.py.

Race-free by a compare-and-set on the whole database: a plan is written only if no other
connection committed between the moment it was asked for and the moment its chunk's own
transaction began (BEGIN IMMEDIATE: SQLite's one write lock, so nobody commits during it).
SQLite's `PRAGMA data_version` on this connection changes exactly when another connection has
committed; this connection's own commits and any connection's PASSIVE checkpoints leave it alone.
If it changed (a TAM saved meanwhile), the chunk is planned again here, after the lock, as in a
run alone. This process's own commits in the meantime are of earlier chunks: they write those
chunks' accounts, snapshots and outbox rows, none of which a later chunk reads.

A planner that fails (an error, an exit, no answer) is logged and the run goes on without it;
nothing it sent is written unchecked.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection

from django.db import connection, connections

logger = logging.getLogger(__name__)

# How long a plan may take before the planner is given up (a chunk takes a fifth of a second).
ANSWER_TIMEOUT = 60.0
# Planner processes per run: with two, both cores stay busy (at 100,000 accounts on two cores,
# bench/recompute.py: 5.0 s with one planner, 3.7-3.8 s with two). On one core they only add work.
PLANNERS = 2 if (os.cpu_count() or 1) > 1 else 0


def possible() -> bool:
    """Whether a planner can help here: SQLite on a file in WAL mode (another process sees it and
    reads while this one writes), outside a caller's transaction (which must see every chunk)."""
    if not PLANNERS or connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    if connection.is_in_memory_db():
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0].lower() == "wal"


def data_version() -> int:
    """SQLite's count of other connections' commits, as this connection sees it."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]


class Planner:
    """A planner process, asked for one chunk's plan at a time (lockstep: `take` before the next
    `ask`). Every method answers False or None once the planner has failed, and never raises.
    Start them with `started`."""

    def __init__(self, pid: int, channel: Connection) -> None:
        self._pid: int | None = pid
        self._channel: Connection | None = channel
        self._asked: int | None = None  # the data_version when the pending chunk was asked for

    def idle(self) -> bool:
        """Running, and not planning a chunk."""
        return self._channel is not None and self._asked is None

    def ask(self, which, version: int) -> bool:
        """Ask for a chunk's plan; `version` is data_version now, before the planner reads."""
        if not self.idle():
            return False
        try:
            self._channel.send(which)
        except Exception:
            self._fail("could not be asked")
            return False
        self._asked = version
        return True

    def take(self):
        """The plan asked for, and the data_version it was asked at; None if the planner failed."""
        asked, self._asked = self._asked, None
        if self._channel is None or asked is None:
            return None
        try:
            if not self._channel.poll(ANSWER_TIMEOUT):
                self._fail(f"gave no answer in {ANSWER_TIMEOUT:.0f} s")
                return None
            kind, value = self._channel.recv()
        except Exception:
            self._fail("stopped answering")
            return None
        if kind != "plan":
            self._fail(f"failed:\n{value}")
            return None
        return value, asked

    def close(self) -> None:
        """Tell the planner to stop and wait for it (killed if it does not stop at once)."""
        if self._channel is not None:
            try:
                self._channel.send(None)
            except Exception:
                pass
            self._channel.close()
            self._channel = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            for _ in range(50):  # up to 5 s: a plan under way finishes, or fails to send
                if os.waitpid(pid, os.WNOHANG)[0]:
                    return
                time.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def _fail(self, what: str) -> None:
        logger.warning("A scoring run's planner process %s; the run goes on without it", what)
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None


def started(count: int, plan: Callable) -> list[Planner]:
    """Fork `count` planner processes, each calling plan(which) for the chunks it is asked for.

    Forked only from a process with a single thread (a Celery worker's pool process, a management
    command), with this thread's database connections closed first: SQLite's locks are the
    process's, and a connection (or a lock another thread holds) must not be carried into a child.
    Elsewhere (a threaded web server), no planner is started and the run goes on alone."""
    if threading.active_count() != 1 or not hasattr(os, "fork"):
        return []
    for each in connections.all(initialized_only=True):
        each.close()  # reopened on the next query, after the fork
    planners = []
    for _ in range(count):
        mine, theirs = Pipe()
        pid = os.fork()
        if pid == 0:  # the planner: never returns into the caller's code
            code = 1
            try:
                mine.close()
                for other in planners:
                    other._channel.close()
                _serve(theirs, plan)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        planners.append(Planner(pid, mine))
    return planners


def _serve(channel: Connection, plan: Callable) -> None:
    """The planner process: plan each chunk asked for until told to stop (or the run is gone).
    It reads the database on a connection of its own and writes nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # the run's own handlers are not the planner's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while (which := _received(channel)) is not None:
        try:
            scored = plan(which=which)
            scored.results, scored.health = {}, {}  # what the writer does not need
            message = ("plan", scored)
        except Exception:
            message = ("error", traceback.format_exc())
        channel.send(message)
        if message[0] == "error":
            return


def _received(channel: Connection):
    try:
        return channel.recv()
    except (EOFError, OSError, pickle.UnpicklingError):
        return None
