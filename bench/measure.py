"""What the benchmarks measure with: statements counted without a query log, wall and CPU time
of a block (and of it the garbage collector's), and a block run in a transaction that is undone
so the next pass finds the same data."""

from __future__ import annotations

import gc
import os
import threading
import time
from contextlib import contextmanager


class QueryCounter:
    """Counts statements through connection.execute_wrapper: no query log, no DEBUG cursor, so
    counting costs a function call per statement (an executemany counts as one)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()  # the engine's worker threads count too

    def __call__(self, execute, sql, params, many, context):
        with self._lock:
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
    """Yields a list that receives (seconds, statements, CPU seconds, of them in the garbage
    collector) of the block. CPU time is this process's and its forked processes' (a run's
    planners or workers, accounts.scoring.processes); it shows how much of the wall time was the
    run's own work (the rest: the database server, I/O, or waiting for a core on a shared
    machine). The forked processes' statements are not counted: they run in other processes."""
    out = []
    before, gc_before = counter.count, GC.seconds
    started, cpu = time.perf_counter(), _cpu()
    yield out
    out.extend(
        (
            round(time.perf_counter() - started, 3),
            counter.count - before,
            round(_cpu() - cpu, 3),
            round(GC.seconds - gc_before, 3),
        )
    )


def _cpu() -> float:
    """This process's CPU seconds and those of its children that have ended (a run's planners or
    workers, accounts.scoring.processes)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


class Rollback(Exception):
    pass


@contextmanager
def committed_undone(day):
    """Run the block committed, as production does (a chunk's commit and, on PostgreSQL, chunks
    scored in threads with their own connections, which a surrounding transaction would forbid),
    then put back what a scoring run of `day` writes: the day's snapshots, the outbox rows, the
    accounts' read model, the tally and the daily counts. The next pass finds the normal day again."""
    from django.db import connection, transaction

    from accounts.models import Account, HealthChange, HealthDailyCount, HealthSnapshot, HealthTally
    from accounts.scoring import writes

    columns = ["id", *(Account._meta.get_field(name).column for name in writes.READ_MODEL)]
    account = Account._meta.db_table
    kept = {model._meta.db_table: f"bench_keep_{model._meta.db_table}" for model in (HealthTally, HealthDailyCount)}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_keep_account")
        cursor.execute(f"CREATE TABLE bench_keep_account AS SELECT {', '.join(columns)} FROM {account}")
        for table, keep in kept.items():
            cursor.execute(f"DROP TABLE IF EXISTS {keep}")
            cursor.execute(f"CREATE TABLE {keep} AS SELECT * FROM {table}")
    last_change = HealthChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            HealthSnapshot.objects.filter(date=day).delete()
            HealthChange.objects.filter(pk__gt=last_change).delete()
            assignments = ", ".join(f"{c} = k.{c}" for c in columns[1:])
            differs = " OR ".join(f"{account}.{c} IS DISTINCT FROM k.{c}" for c in columns[1:])
            if connection.vendor == "sqlite":
                differs = differs.replace("IS DISTINCT FROM", "IS NOT")
            cursor.execute(
                f"UPDATE {account} SET {assignments} FROM bench_keep_account AS k "
                f"WHERE {account}.id = k.id AND ({differs})"
            )
            for table, keep in kept.items():  # after the accounts: their triggers appended to the tally
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {keep}")
            for keep in ["bench_keep_account", *kept.values()]:
                cursor.execute(f"DROP TABLE {keep}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM accounts_healthsnapshot, accounts_account, accounts_healthchange, accounts_healthtally, "
                    "accounts_healthdailycount"
                )


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
