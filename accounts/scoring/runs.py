"""How a full run's chunks are run: one by one; on PostgreSQL two at once in worker threads or
forked worker processes; on SQLite written one by one while forked planners plan the next ones
(accounts.scoring.processes). accounts.scoring.services.scores_recompute chooses; each chunk's
scoring itself is services.chunk_score (or chunk_plan and chunk_write)."""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, connections, transaction

from accounts import events
from accounts.scoring import inputs, processes

logger = logging.getLogger(__name__)


def chunks_scored(
    chunks: Iterator[tuple[inputs.AccountSet, int]], score: Callable[[inputs.AccountSet], None], *, threads: int
) -> Iterator[int]:
    """Score each chunk (`score` commits it) and yield its count as it is done: one by one, or
    `threads` at once (PostgreSQL, outside a transaction, for more than one chunk: the caller
    decides), each in a worker thread with its own connection and transaction. While one waits on
    the database (its read, its COPY, its commit) another runs the scorecard, so the run takes
    about the larger of the two instead of their sum. The chunks are disjoint id ranges, so their
    row locks never meet; a TAM's save still waits for the one chunk that holds its account.
    SQLite has a single writer (a chunk's transaction holds it throughout), and a caller's
    transaction (an import, a test) must see every chunk: both score the chunks one by one."""
    if threads > 1:
        yield from _in_threads(chunks, score, threads)
        return
    for which, count in chunks:
        score(which)
        yield count


def planned_ahead(
    chunks: Iterator[tuple[inputs.AccountSet, int]],
    planners: list[processes.ChunkProcess],
    *,
    plan: Callable[[inputs.AccountSet], Any],
    write: Callable[[Any], None],
    committed: Callable[[], None],
) -> Iterator[int]:
    """chunks_scored with planner processes (SQLite; accounts.scoring.processes): while a chunk is
    written here, the next ones are planned there. A plan is written only if, inside its chunk's
    transaction (SQLite's write lock), nothing was committed since it was asked for: not by another
    connection (`PRAGMA data_version`), and not by this connection outside the run's own chunk
    transactions (the caller's progress callback, say; counted by `total_changes`). Otherwise, or
    when no planner had it, the chunk is planned again here, after the lock, as in a run alone.
    The run's own chunk transactions write only their own chunk's rows, which no later chunk reads."""
    upcoming: collections.deque = collections.deque()  # chunks listed, not yet written
    asked: dict[int, processes.ChunkProcess] = {}  # chunk number -> the planner planning it
    listed = used = replanned = 0
    # Writes on this connection between the run's chunk transactions move this on.
    between = 0
    changes_after_commit = None

    def listed_upto(number: int) -> bool:
        nonlocal listed
        while listed <= number and (chunk := next(chunks, None)) is not None:
            upcoming.append(chunk)
            listed += 1
        return number < listed

    number = -1
    while listed_upto(number + 1):
        number += 1
        which, count = upcoming.popleft()
        # Waited for outside the transaction: a TAM's save is not kept waiting meanwhile.
        planner = asked.pop(number, None)
        taken = planner.take(processes.ANSWER_TIMEOUT) if planner is not None else None
        with transaction.atomic():
            raw = connection.connection
            if changes_after_commit is not None and raw.total_changes != changes_after_commit:
                between += 1
            # The same connection (versions compare only on one), and nothing committed since.
            now = (raw, processes.data_version(), between)
            planned = None
            if taken is not None:
                planned, asked_at = taken
                if asked_at != now:
                    planned = None  # something committed since it was read: read again, after the lock
                    replanned += 1
            # Each idle planner takes the next chunk nobody has asked for.
            for idle in (p for p in planners if p.idle()):
                wanted = number + 1 + len(asked)
                if not listed_upto(wanted) or not idle.ask(upcoming[wanted - number - 1][0], now):
                    break
                asked[wanted] = idle
            if planned is None:
                planned = plan(which)
            else:
                used += 1
            write(planned)
        changes_after_commit = raw.total_changes
        committed()
        yield count
    logger.info("Scoring run: %d chunks planned ahead, %d of them planned again", used + replanned, replanned)


def in_processes(
    chunks: Iterator[tuple[inputs.AccountSet, int]], workers: list[processes.ChunkProcess]
) -> Iterator[int]:
    """chunks_scored's workers as forked processes (PostgreSQL, from a single-threaded process;
    accounts.scoring.processes): each scores and commits whole chunks on its own connection, so
    two chunks' scorecards run on two cores where threads shared one. A worker that is done takes
    the next chunk, whichever it is. The first failure stops the run as in _in_threads: no chunk
    is handed out after it, the others finish theirs, and it is raised once they have (each chunk
    that committed stays committed)."""
    handed: dict[processes.ChunkProcess, int] = {}  # busy worker -> its chunk's count
    failed: processes.ChunkProcess | None = None
    chunks_done = 0

    def collect() -> Iterator[int]:
        """Wait for at least one busy worker's answer; yield the counts of the chunks done."""
        nonlocal failed, chunks_done
        for worker in processes.answered(list(handed)):
            count = handed.pop(worker)
            # No time limit: a chunk may wait on row locks, as a thread's did.
            if worker.take(timeout=None) is None:
                failed = failed or worker
            else:
                chunks_done += 1
                yield count

    for which, count in chunks:
        while failed is None and not any(worker.idle() for worker in workers) and handed:
            yield from collect()
        idle = next((worker for worker in workers if worker.idle()), None)
        if failed is not None or idle is None or not idle.ask(which):
            failed = failed or idle or workers[0]
            break
        handed[idle] = count
    while handed:
        yield from collect()
    logger.info("Scoring run: %d chunks scored in %d worker processes", chunks_done, len(workers))
    if failed is not None:
        error, text = failed.failure or (None, "no worker process could be asked")
        if error is None:
            raise RuntimeError(f"A chunk failed in a worker process: {text}")
        error.add_note(f"In a worker process:\n{text}")
        raise error


def _in_threads(
    chunks: Iterator[tuple[inputs.AccountSet, int]], score: Callable[[inputs.AccountSet], None], threads: int
) -> Iterator[int]:
    """chunks_scored's worker threads. The first failure stops the run: the workers skip the
    chunks still queued, and it is raised here once every worker has finished (each chunk that
    committed stays committed, as in the one-by-one run)."""
    todo: queue.Queue = queue.Queue(maxsize=threads)
    finished: queue.Queue = queue.Queue()
    failed = threading.Event()

    def work() -> None:
        try:
            # The color changes are recorded with each chunk; the caller delivers them once.
            with events.deferred_silent():
                while (item := todo.get()) is not None:
                    if failed.is_set():
                        finished.put(None)  # skipped
                        continue
                    try:
                        score(item[0])
                    except BaseException as error:
                        failed.set()
                        finished.put(error)
                    else:
                        finished.put(item[1])
        finally:
            connections.close_all()  # this thread's own connections

    workers = [threading.Thread(target=work, name=f"scoring-{n}", daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    queued = 0
    errors: list[BaseException] = []

    def results(*, block: bool) -> Iterator[int]:
        nonlocal queued
        while queued and (block or not finished.empty()):
            result = finished.get()
            queued -= 1
            if isinstance(result, BaseException):
                errors.append(result)
            elif result is not None:
                yield result

    try:
        for item in chunks:
            if failed.is_set():
                break
            todo.put(item)
            queued += 1
            yield from results(block=False)
        yield from results(block=True)
    finally:
        failed.set()  # an early exit (the caller's progress raised) skips what is still queued
        for _ in workers:
            todo.put(None)
        for worker in workers:
            worker.join()
    if errors:
        raise errors[0]
