"""What the benchmarks measure with: statements counted without a query log, wall and CPU time
of a block (and of it the garbage collector's), and a block run in a transaction that is undone
so the next pass finds the same data."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager


class QueryCounter:
    """Counts statements through connection.execute_wrapper: no query log, no DEBUG cursor, so
    counting costs a function call per statement (an executemany counts as one)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class GcTimer:
    """CPU seconds this process spent in the cyclic garbage collector (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started


GC = GcTimer()


@contextmanager
def counted(counter: QueryCounter):
    """Yields a list that receives (seconds, statements, this process's CPU seconds, of them in
    the garbage collector) of the block. CPU time shows how much of the wall time was this process's own work (the
    rest: the database server, I/O, or waiting for a core on a shared machine)."""
    out = []
    before, gc_before = counter.count, GC.seconds
    started, cpu = time.perf_counter(), time.process_time()
    yield out
    out.extend(
        (
            round(time.perf_counter() - started, 3),
            counter.count - before,
            round(time.process_time() - cpu, 3),
            round(GC.seconds - gc_before, 3),
        )
    )


class Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run the block in a transaction and undo it, so the next pass finds the normal day again."""
    from django.db import connection, transaction

    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass
    if connection.vendor == "postgresql":
        # The undone rows leave dead index entries behind; clear them as autovacuum would.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM accounts_healthsnapshot, accounts_account, accounts_healthchange, accounts_healthtally, "
                "accounts_healthdailycount"
            )
