"""Loads that set a table's upkeep aside: a first import into (nearly) empty tables drops their
non-unique indexes (and on SQLite their triggers, on PostgreSQL the foreign keys that point at
them) inside the import's transaction and builds them once at its end, instead of keeping them
row by row (docs/decisions.md). Every other write keeps them."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import DatabaseError, connections, models, router, transaction


def _load_connection(models_: Sequence[type[models.Model]], vendor: str, name: str):
    """The connection the models are written through when it is `vendor`'s (else None), which
    must be inside the caller's transaction: outside one each DROP would commit at once, and
    readers would see a bare table."""
    connection = connections[router.db_for_write(models_[0])]
    if connection.vendor != vendor:
        return None
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} runs inside the caller's transaction")
    return connection


def _nearly_empty(cursor, tables: list[str], rows: int, quote) -> list[str]:
    """The tables that hold fewer than half as many rows as a load of `rows` writes into each
    (a first import): only those have their upkeep set aside."""
    empty = []
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        if cursor.fetchone()[0] * 2 < rows:
            empty.append(table)
    return empty


@contextlib.contextmanager
def sqlite_load(models_: Sequence[type[models.Model]], *, rows: int, before_triggers=None):
    """A load that writes about `rows` rows into each of these models' tables, inside the
    caller's transaction on SQLite: each table that holds fewer than half as many (a first
    import into an empty database) has its non-unique indexes and its triggers dropped for the
    block and created again when it ends, from their own SQL (sqlite_master), so they come back
    exactly as they were. `before_triggers()` runs just before dropped triggers come back, to
    rebuild what they would have kept. A no-op on other databases.

    Maintaining an index row by row costs far more than building it once over the finished
    table (a first scoring rewrites every new account row, and five indexes cover its health
    columns). DDL is transactional in SQLite and the caller holds its only write lock, so no
    other connection ever sees a table without them, and a failure rolls the drop back with
    everything else. Unique indexes stay: they keep the data right and ON CONFLICT needs them.
    Indexes the block itself reads through must not be on these tables."""
    connection = _load_connection(models_, "sqlite", "sqlite_load")
    if connection is None:
        yield
        return
    # A savepoint of its own: if the block fails, its rollback brings the indexes and triggers back
    # even when the caller catches the error and commits the rest of its transaction.
    with transaction.atomic(using=connection.alias):
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            tables = _nearly_empty(cursor, [model._meta.db_table for model in models_], rows, quote)
            dropped = []
            if tables:
                cursor.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
                    f"AND tbl_name IN ({', '.join(['%s'] * len(tables))}) ORDER BY type, name",
                    tables,
                )
                dropped = [
                    (kind, name, sql)
                    for kind, name, sql in cursor.fetchall()
                    if kind == "trigger" or not sql.lstrip().upper().startswith("CREATE UNIQUE")
                ]
            for kind, name, _ in dropped:
                cursor.execute(f"DROP {kind.upper()} {quote(name)}")
        yield
        with connection.cursor() as cursor:
            for kind, _, sql in dropped:
                if kind == "index":
                    cursor.execute(sql)
        triggers = [sql for kind, _, sql in dropped if kind == "trigger"]
        if triggers and before_triggers is not None:
            before_triggers()
        with connection.cursor() as cursor:
            for sql in triggers:
                cursor.execute(sql)


# How long a first load on PostgreSQL waits for its tables to itself before it gives up setting
# their indexes and keys aside (and runs with them in place, as any other import).
LOAD_LOCK_WAIT = "1s"


@contextlib.contextmanager
def postgres_load(models_: Sequence[type[models.Model]], *, rows: int, writes: Sequence[type[models.Model]] = ()):
    """sqlite_load's counterpart on PostgreSQL, inside the caller's transaction: when these
    models' tables each hold fewer than half as many rows as the load writes (a first import),
    their non-unique indexes, and the foreign keys that point at them from these tables or from
    the other tables the load `writes`, are dropped for the block and created again when it
    ends, from their own definitions (pg_get_indexdef, pg_get_constraintdef): adding a foreign
    key checks the whole table in one join. A no-op on other databases.

    Measured on a first import of 158,000 accounts: each row's key was checked on its own at the
    commit (a deferred trigger per row, most of a million), and each first scoring's update kept
    eight indexes of the accounts row by row (docs/decisions.md has the figures).

    DDL takes an ACCESS EXCLUSIVE lock, held until the caller commits, on these tables and on
    the written ones: pages that read them wait for a first import. No other table is touched
    (a key's drop locks the table it points at, and every page reads the users and its unread
    notifications): keys to other tables, and keys from tables the load does not write, stay.
    The locks are taken first, all at once, waiting at most LOAD_LOCK_WAIT: if a reader holds
    one (or the database role does not own the tables), nothing is set aside and the load runs
    as any other. A savepoint of its own puts everything back if the block fails, even when the
    caller catches the error and commits.
    Unique indexes and primary keys stay (ON CONFLICT needs them); indexes the block itself reads
    through must not be on these tables."""
    connection = _load_connection(models_, "postgresql", "postgres_load")
    if connection is None:
        yield
        return
    with transaction.atomic(using=connection.alias):
        quote = connection.ops.quote_name
        aside, locked = _postgres_aside(
            connection, [quote(m._meta.db_table) for m in models_], [quote(m._meta.db_table) for m in writes], rows
        )
        yield
        if aside:
            with connection.cursor() as cursor:
                # The kept keys of these tables run their pending checks now (PostgreSQL alters
                # no table that holds pending trigger events), then defer again as declared.
                cursor.execute(
                    "SELECT quote_ident(conname), condeferred FROM pg_constraint "
                    "WHERE contype = 'f' AND condeferrable AND conrelid = ANY(%s::regclass[])",
                    [locked],
                )
                kept = cursor.fetchall()
                if kept:
                    cursor.execute(f"SET CONSTRAINTS {', '.join(name for name, _ in kept)} IMMEDIATE")
                for sql in aside:
                    cursor.execute(sql)
                if deferred := [name for name, initially in kept if initially]:
                    cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")


def _postgres_aside(connection, tables: list[str], writes: list[str], rows: int) -> tuple[list[str], list[str]]:
    """postgres_load's drops, given quoted table names: the statements that put back what was
    dropped and the tables locked, or ([], []) when nothing was (few rows to load, the locks not
    to be had at once, or not the tables' owner)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        loaded = _nearly_empty(cursor, tables, rows, quote)
        if not loaded:
            return [], []
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY 1",
            [loaded],
        )
        indexes = cursor.fetchall()
        # The keys that point at the loaded tables from the tables the load writes (meetings,
        # tickets, ... at the accounts). Not the loaded tables' keys to other tables (the users),
        # nor those of tables the load does not write: a drop locks both ends of the key.
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]) AND c.conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [loaded, [*tables, *writes]],
        )
        keys = cursor.fetchall()
        if not indexes and not keys:
            return [], []
        locked = sorted({*loaded, *(quote(table) for table, _, _ in keys)})
        cursor.execute("SELECT current_setting('lock_timeout')")
        (wait,) = cursor.fetchone()
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOAD_LOCK_WAIT])
                cursor.execute(f"LOCK TABLE {', '.join(locked)} IN ACCESS EXCLUSIVE MODE")
                for table, name, _ in keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {name}")
        except DatabaseError:
            return [], []  # busy, or not ours: the savepoint took it all back, the wait included
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
    return [sql for _, sql in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}" for table, name, definition in keys
    ], locked
