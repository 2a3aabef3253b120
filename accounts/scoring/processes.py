"""Processes forked for a full run, so that its Python work uses more than one core: on SQLite,
planners that read and score the next chunks while the run writes; on PostgreSQL, workers that
score and commit whole chunks.

A Python process computes on one core (the GIL), and the engine's reads and scorecards are
Python work. On SQLite, alone, a run reads a chunk's inputs, computes its scorecards and writes
it, one after the other (5.9 s at 100,000 accounts, of which the reads and the scorecards are
3.4 s); PLANNERS processes plan the next chunks (services.chunk_plan: it reads and computes, and
writes nothing) while this one writes the current one (4.2 s, bench/recompute.py). On
PostgreSQL, whose row locks let each chunk commit on its own, two worker threads overlapped one
chunk's database work with the other's scorecard, but their Python shared one core; worker
processes each score and commit whole chunks with a connection of their own.

SQLite's planners are race-free by a compare-and-set on the whole database: a plan is written only
if no other connection committed between the moment it was asked for and the moment its chunk's
own transaction began (BEGIN IMMEDIATE: SQLite's one write lock, so nobody commits during it).
SQLite's `PRAGMA data_version` on this connection changes exactly when another connection has
committed; this connection's own commits and any connection's PASSIVE checkpoints leave it alone.
If it changed (a TAM saved meanwhile), the chunk is planned again here, after the lock, as in a
run alone. This process's own commits in the meantime are of earlier chunks: they write those
chunks' accounts, snapshots and outbox rows, none of which a later chunk reads.

Processes are forked, not started as new interpreters (which spent 1.1 s importing Django first),
and only from a process with a single thread, with this thread's connections closed first: a
connection, or a lock another thread holds (SQLite's locks are a process's), must not be carried
into a child. Elsewhere (a threaded web server, the test suite) the run goes on as before.
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
from multiprocessing.connection import Connection, wait

from django.db import connection, connections

from healthscore import checkpoints

logger = logging.getLogger(__name__)

# How long a SQLite planner may take over a chunk before it is given up (one takes a fifth of a
# second; giving up costs nothing: the run plans that chunk itself). PostgreSQL's workers have no
# limit: a chunk may wait on row locks (an import holds them for its whole transaction), as a
# worker thread did; a worker that dies is seen at once (its pipe ends).
ANSWER_TIMEOUT = 60.0
# Planner processes per SQLite run: with two, both cores stay busy (at 100,000 accounts on two
# cores: 5.0 s with one planner, 3.7-3.8 s with two). On one core they only add work.
PLANNERS = 2 if (os.cpu_count() or 1) > 1 else 0
# Whether runs may fork at all (the test suite turns it off: its spies live in its own process;
# tests that fork run a process of their own, accounts/tests/forked_run.py).
FORK = True
# What a broken pipe to a child raises; anything else (a time limit's exception raised by a
# signal handler while the run waits, say) is the caller's and goes through.
_PIPE_ERRORS = (OSError, EOFError, pickle.UnpicklingError)


def planners_possible() -> bool:
    """Whether planners can help here: SQLite on a file in WAL mode, where another process reads
    while this one writes (a database in memory has no log; nor another process)."""
    return bool(PLANNERS) and connection.vendor == "sqlite" and checkpoints.in_wal_mode(connection)


def data_version() -> int:
    """SQLite's count of other connections' commits, as this connection sees it."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]


class ChunkProcess:
    """A forked process, asked for one chunk at a time (lockstep: `take` before the next `ask`).
    Once it has failed (`failure` then says how) every method answers False or None; a broken
    pipe is such a failure, and anything else (a time limit's exception raised by a signal
    handler while the caller waits) is raised. Start them with `forked`."""

    def __init__(self, pid: int, channel: Connection) -> None:
        self._pid: int | None = pid
        self._channel: Connection | None = channel
        self._busy = False
        self._asked = None  # what the caller noted when it asked (SQLite: the data_version)
        self.failure: tuple[BaseException | None, str] | None = None  # (the error, its traceback)

    def idle(self) -> bool:
        """Running, and not working on a chunk."""
        return self._channel is not None and not self._busy

    def busy(self) -> bool:
        return self._channel is not None and self._busy

    def ask(self, which, noted=None) -> bool:
        """Hand it a chunk; `noted` comes back with the answer (SQLite: data_version now)."""
        if not self.idle():
            return False
        try:
            self._channel.send(which)
        except _PIPE_ERRORS:
            self._fail(None, "could not be asked")
            return False
        self._busy, self._asked = True, noted
        return True

    def take(self, timeout: float | None):
        """(its answer for the chunk asked, what was noted), or None if it failed; waits at most
        `timeout` seconds (None: until it answers or ends)."""
        busy, noted, self._busy, self._asked = self._busy, self._asked, False, None
        if self._channel is None or not busy:
            return None
        try:
            if not self._channel.poll(timeout):
                self._fail(None, f"gave no answer in {timeout:.0f} s")
                return None
            kind, value = self._channel.recv()
        except _PIPE_ERRORS:
            self._fail(None, "stopped answering (it ended, or its pipe broke)")
            return None
        if kind != "done":
            self._fail(*value)
            return None
        return value, noted

    def close(self) -> None:
        """Tell it to stop and wait for it (killed if it has not stopped in 5 s)."""
        if self._channel is not None:
            try:
                self._channel.send(None)
            except _PIPE_ERRORS:
                pass
            self._channel.close()  # a chunk under way then fails to send, and the process exits
            self._channel = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            _reaped(pid, within=5)

    def _fail(self, error: BaseException | None, what: str) -> None:
        self.failure = (error, what)
        logger.warning("A scoring run's process failed: %s", what)
        if self._channel is not None:
            self._channel.close()  # it exits once its pipe ends
            self._channel = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            _reaped(pid, within=1)


def answered(processes: list[ChunkProcess]) -> list[ChunkProcess]:
    """The busy processes with an answer waiting (or ended), once at least one has: waits as long
    as it takes (PostgreSQL's workers, whose chunks may wait on row locks)."""
    waiting = {process._channel: process for process in processes if process.busy()}
    if not waiting:
        return []
    return [waiting[channel] for channel in wait(list(waiting))]


def all_closed(processes: list[ChunkProcess]) -> None:
    """Close each process, even if closing another one raised (the first error is raised)."""
    if processes:
        try:
            processes[0].close()
        finally:
            all_closed(processes[1:])


def _reaped(pid: int, *, within: float) -> None:
    """Wait for a process told to stop (its pipe closed) to end; killed if it has not `within`
    seconds."""
    deadline = time.monotonic() + within
    while not _ended(pid):
        if time.monotonic() > deadline:
            _ended(pid, kill=True)
            return
        time.sleep(0.002)


def _ended(pid: int, *, kill: bool = False) -> bool:
    """Whether a process has ended (and is reaped); with `kill`, it is killed and reaped first.
    Never raises: a process already reaped (by a SIGCHLD handler, say) has ended."""
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        return os.waitpid(pid, 0 if kill else os.WNOHANG)[0] != 0
    except (ChildProcessError, ProcessLookupError):
        return True


def forked(count: int, work: Callable) -> list[ChunkProcess]:
    """Fork `count` processes, each answering work(which=...) for the chunks it is asked for.

    Only from a process with a single thread (a Celery worker's pool process, a management
    command) whose connections are all in autocommit, outside any transaction: they are closed
    first (reopened at the next query), as a connection, or a lock another thread holds, must not
    be carried into a child. Elsewhere (a threaded process, or with FORK off), none, and the run
    goes on as before."""
    if not FORK or not hasattr(os, "fork"):
        return []
    if threading.active_count() != 1:
        names = ", ".join(sorted(thread.name for thread in threading.enumerate()))
        logger.info("A scoring run forks no process: this process has other threads (%s)", names)
        return []
    opened = connections.all(initialized_only=True)
    if any(each.in_atomic_block or not each.get_autocommit() for each in opened):
        return []
    for each in opened:
        each.close()  # reopened on the next query, after the fork
    started: list[ChunkProcess] = []
    try:
        for _ in range(count):
            try:
                mine, theirs = Pipe()
                pid = os.fork()
            except OSError:
                logger.warning("Could not fork a scoring run's process; the run goes on with %d", len(started))
                break
            if pid == 0:  # the child: never returns into the caller's code
                code = 1
                try:
                    mine.close()
                    for other in started:
                        other._channel.close()
                    _serve(theirs, work)
                    code = 0
                finally:
                    os._exit(code)
            theirs.close()
            started.append(ChunkProcess(pid, mine))
    except BaseException:
        all_closed(started)
        raise
    return started


def _serve(channel: Connection, work: Callable) -> None:
    """A forked process: answer each chunk asked for until told to stop (or the run is gone),
    on database connections of its own."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # the run's own handlers are not this process's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while (which := _received(channel)) is not None:
            try:
                message = ("done", work(which=which))
            except Exception as error:
                message = ("error", (_picklable(error), traceback.format_exc()))
            channel.send(message)
            if message[0] == "error":
                return
    finally:
        connections.close_all()


def _picklable(error: BaseException) -> BaseException | None:
    """The error itself, if it can be sent back (the caller raises it), else None."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return None
    return error


def _received(channel: Connection):
    try:
        return channel.recv()
    except _PIPE_ERRORS:
        return None
