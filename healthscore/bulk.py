"""Bulk writes the ORM has no fast form for: new rows from plain values, many per statement, and
PostgreSQL's COPY for large batches (the import's inserts, the engine's snapshots and current
health). Every statement, COPY included, goes through Django's cursor, so execute wrappers and
the query log (the tests' query counts) see it."""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Iterable, Sequence
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router, transaction
from django.utils import timezone

# Rows from which a batch goes through COPY on PostgreSQL. Below it, one multi-row statement is
# cheaper than COPY's extra statements (and a single account's save keeps its query count).
COPY_FROM = 500

_REFUSED = (bytes, bytearray, memoryview, list, tuple, dict, set)
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A value in COPY's text format: NULL is \\N; backslash, tab and line breaks escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, _REFUSED):
        # COPY would store their Python repr: callers pass plain values (JSON as its text).
        raise TypeError(f"copy_text takes plain values, not {type(value).__name__}")
    text = value if isinstance(value, str) else str(value)
    # Most values hold none of the four (a scan each is cheaper than translating every value).
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def copy_line(row: Sequence) -> str:
    """A row in COPY's text format, with its line break: copy_text of each value, the row's texts
    scanned once for the four characters to escape instead of each text on its own (the engine's
    rows carry two long JSON texts)."""
    texts = "".join([value for value in row if isinstance(value, str)])
    if "\\" in texts or "\t" in texts or "\n" in texts or "\r" in texts:
        return "\t".join(map(copy_text, row)) + "\n"
    return "\t".join([value if isinstance(value, str) else copy_text(value) for value in row]) + "\n"


def copy_in(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows of plain values (text, numbers, dates, booleans, JSON as text) into
    table(columns): one statement on PostgreSQL, however many rows."""
    buffer = io.StringIO("".join([copy_line(row) for row in rows]))
    quote = cursor.db.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = cursor.cursor

    def run(sql, params, many, context):
        cursor.db.validate_no_broken_transaction()
        with cursor.db.wrap_database_errors:
            return raw.copy_expert(sql, buffer)

    logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
    with logged:
        cursor._execute_with_wrappers(sql, None, False, executor=run)


def copy_wanted(connection, rows: int) -> bool:
    """COPY for a large batch on PostgreSQL through psycopg2 (copy_in speaks its API; with
    psycopg 3 every batch keeps the plain statements)."""
    if connection.vendor != "postgresql" or rows < COPY_FROM:
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


def copy_staged(cursor, *, staging: str, shape: str, columns: Sequence[str], rows, move: str, params=()) -> None:
    """COPY rows into a temporary staging table of the session, run the statement that moves
    them where they belong (`move` reads from `staging`), and empty it, in one transaction.

    `shape` is a SELECT whose columns the staging table takes (names and types, no constraints):
    the target's own columns, so the types are never written twice. Emptied by TRUNCATE right
    after the move, not left to the commit: an import moves many chunks in one transaction, and
    rows deleted but not yet committed would still be scanned by every later chunk."""
    with transaction.atomic(using=cursor.db.alias, savepoint=False):
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS {shape} WITH NO DATA")
        copy_in(cursor, staging, columns, rows)
        cursor.execute(move, params)
        cursor.execute(f"TRUNCATE {staging}")


# Values the database drivers take as they are (Django's field preparation, ~2 µs a value, is
# the larger part of a bulk_create's time): text, numbers, booleans, dates and ids.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.DecimalField,
    models.ForeignKey,
)


def _as_copy_value(prepared):
    """A prepared value as COPY takes it: psycopg2's JSON adapter gives its JSON text."""
    dumps = getattr(prepared, "dumps", None)
    return dumps(prepared.adapted) if dumps is not None and hasattr(prepared, "adapted") else prepared


def _preparer(f, connection, copy: bool):
    """How a value of a field the driver cannot take as it is gets prepared (for COPY: as text)."""
    if copy:
        return lambda value: _as_copy_value(f.get_db_prep_save(value, connection))
    return lambda value: f.get_db_prep_save(value, connection)


def rows_insert(model, rows: list[dict], *, ignore_conflicts: bool = False) -> None:
    """Insert new rows (dicts of attnames; the rest take the model default): many per INSERT,
    or one COPY for a large batch on PostgreSQL. Values a driver cannot take as they are (JSON,
    datetimes) go through their field's preparation; a default or an auto_now(_add) stamp is
    prepared once for all rows. `ignore_conflicts` skips rows a unique constraint already holds
    (ON CONFLICT DO NOTHING; a large batch is COPYed into a staging table first)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    copy = copy_wanted(connection, len(rows))
    steps = []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue  # an auto id
        plain = isinstance(f, _PLAIN) and not isinstance(f, models.DateTimeField)
        stamp = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        fixed = f.get_db_prep_save(now if stamp else f.get_default(), connection)
        if copy:
            fixed = _as_copy_value(fixed)
        steps.append((f, fixed, None if plain else _preparer(f, connection, copy), stamp))
    # Rows that carry the same fields are written alike: per such group, the columns in the
    # order plain values (taken as they are, by one itemgetter), prepared ones, then the fixed
    # values (defaults, stamps), so building a row costs a few calls, not one per field.
    groups: dict[frozenset, list[dict]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for carried, group in groups.items():
            given = [step for step in steps if not step[3] and step[0].attname in carried]
            plain = [f for f, _, prepare, _ in given if prepare is None]
            prepared = [(f.attname, prepare) for f, _, prepare, _ in given if prepare is not None]
            fixed = [step for step in steps if step[3] or step[0].attname not in carried]
            columns = [*plain, *(f for f, _, prepare, _ in given if prepare is not None), *(f for f, *_ in fixed)]
            constants = [value for _, value, _, _ in fixed]
            take = _taker([f.attname for f in plain])
            values = [[*take(row), *[prepare(row[name]) for name, prepare in prepared], *constants] for row in group]
            _insert(connection, cursor, table, [f.column for f in columns], values, copy, ignore_conflicts)


def _taker(names: list[str]):
    """A row's values of these keys, as a sequence (itemgetter gives a bare value for one key)."""
    if not names:
        return lambda row: ()
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


def _insert(connection, cursor, table: str, columns: list[str], values: list[list], copy: bool, ignore: bool) -> None:
    if copy:
        write = _copy_skipping_conflicts if ignore else copy_in
        write(cursor, table, columns, values)
        return
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(quote(table), ", ".join(quote(c) for c in columns))
    tail = " ON CONFLICT DO NOTHING" if ignore else ""
    one = "({})".format(", ".join(["%s"] * len(columns)))
    # Many rows per statement: psycopg2's executemany is one round trip per row. Within the
    # database's parameter limit (SQLite's is the lowest).
    per_statement = max(1, min(500, (connection.features.max_query_params or 65_535) // len(columns)))
    for start in range(0, len(values), per_statement):
        batch = values[start : start + per_statement]
        cursor.execute(head + ", ".join([one] * len(batch)) + tail, [value for line in batch for value in line])


def _copy_skipping_conflicts(cursor, table: str, columns: list[str], values: list[list]) -> None:
    """COPY into a staging table (the columns' types, no constraints), then move the rows over
    in one statement that skips the conflicting ones."""
    quote = cursor.db.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    # Lower case and short: the same name quoted (COPY) or not (the statements), within 63 bytes.
    staging = f"hs_staged_{table.lower()[:30]}_{zlib.crc32(names.encode()):08x}"
    copy_staged(
        cursor,
        staging=staging,
        shape=f"SELECT {names} FROM {quote(table)}",
        columns=columns,
        rows=values,
        move=f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {staging} ON CONFLICT DO NOTHING",
    )


class ValuesIn(models.Expression):
    """`field IN (values)` as a filter, the values handed to the driver as they are. Django's
    `field__in` prepares and resolves each value (~1.5 µs a value: 3 ms for each of a large
    import's thousand 2,000-id lookups). Only for values already of the column's type (ids as
    ints, texts as str: PostgreSQL compares no int with a text column), and only in filter():
    under exclude() a NULL column is left out, where `__in` would keep it."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, field: str, values: Iterable):
        super().__init__()
        self.name, self.values, self.lhs = field, list(values), None

    def get_source_expressions(self):
        return [self.lhs] if self.lhs is not None else []

    def set_source_expressions(self, exprs):
        if exprs:
            (self.lhs,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        resolved = self.copy()
        resolved.lhs = models.F(self.name).resolve_expression(query, allow_joins, reuse, summarize)
        return resolved

    def as_sql(self, compiler, connection):
        if not self.values:
            raise EmptyResultSet
        column, params = compiler.compile(self.lhs)
        return f"{column} IN ({', '.join(['%s'] * len(self.values))})", (*params, *self.values)
