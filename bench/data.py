"""Realistic benchmark data: N accounts with a year of activity, 13 weeks of health history and
"a normal day" D still to score. Built once per database and size, then reused.

    .venv/bin/python bench/data.py [--sizes 10000 100000] [--databases sqlite postgres] [--rebuild]

Per 100,000 accounts: 1M meetings and 2M support tickets over the last year, 200k sentiment
entries over the last 6 months, 100k success plans, 1.3M health snapshots (13 weekly dates) and,
dated D, new sentiment for ~2 % of the accounts (another color), a day's meetings and tickets.
Rows are generated in Python from a seeded random generator (the same data on every database)
and loaded set-based: COPY on PostgreSQL, executemany in one transaction on SQLite (WAL).

Where: SQLite in <tmp>/healthscore-bench-<N>.sqlite3; PostgreSQL in the database of
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hs_bench9) with "_<N>" appended,
e.g. hs_bench9_100000 (created, and dropped on --rebuild; the name must contain "bench").
A table bench_dataset records N, DATA_VERSION and D: a matching database is not rebuilt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script, too

from bench.rows import (
    ACCOUNT_COLUMNS,
    DAY,
    MEETING_COLUMNS,
    PLAN_COLUMNS,
    SALS,
    SAS,
    SENTIMENT_COLUMNS,
    TAMS,
    TICKET_COLUMNS,
    WEEKS,
    Plan,
)

ROOT = Path(__file__).resolve().parent.parent
DATA_VERSION = 2
CHUNK_ROWS = 100_000
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/hs_bench9"


Log = Callable[[str], None]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Where each dataset lives ----------------------------------------------------------------


def postgres_base_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES


def database_url(vendor: str, n: int) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{Path(tempfile.gettempdir()) / f'healthscore-bench-{n}.sqlite3'}"
    parts = urlsplit(postgres_base_url())
    name = f"{parts.path.lstrip('/')}_{n}"
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: give the benchmark a database named *bench*")
    return urlunsplit(parts._replace(path=f"/{name}"))


def django_setup(url: str) -> None:
    """Configure Django for one dataset (call once per process, before any model import)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Reuse or build --------------------------------------------------------------------------


def ensure(n: int, *, rebuild: bool = False) -> dict:
    """The dataset of N accounts in the configured database, built unless already there."""
    from django.db import connection

    marker = None if rebuild else _marker()
    if marker and marker["n"] == n and marker["version"] == DATA_VERSION and marker["day"] == DAY.isoformat():
        log(f"[{connection.vendor}] reusing {n:,} accounts (built {marker['built_at']} in {marker['seconds']:.0f} s)")
        # The app's schema may have moved on since the build (a table renamed, a column added).
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return marker
    _fresh_database()
    started = time.perf_counter()
    build(n)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_dataset"
            " (n integer, version integer, day varchar(10), built_at varchar(32), seconds real)"
        )
        cursor.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s, %s, %s, %s)",
            [n, DATA_VERSION, DAY.isoformat(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), seconds],
        )
    log(f"[{connection.vendor}] built {n:,} accounts in {seconds:.0f} s")
    return _marker()


def _marker() -> dict | None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT n, version, day, built_at, seconds FROM bench_dataset")
            row = cursor.fetchone()
    except Exception:  # no database or no marker table yet: build
        connection.close()
        return None
    return dict(zip(("n", "version", "day", "built_at", "seconds"), row, strict=True)) if row else None


def _fresh_database() -> None:
    import psycopg2
    from django.core.management import call_command
    from django.db import connection

    settings = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{settings['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        admin = psycopg2.connect(
            dbname="postgres", user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
        admin.close()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file
    call_command("migrate", verbosity=0)


def build(n: int) -> None:
    from django.db import connection

    from accounts.scoring.services import scores_recompute

    vendor = connection.vendor
    step = _Steps(vendor)
    users = step("users", lambda: _users())
    plan = step("plan rows", lambda: Plan(n, users))
    step(f"accounts ({n:,})", lambda: _load("accounts_account", ACCOUNT_COLUMNS, plan.accounts()))
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_account', 'id'), %s)", [n])
    step("meetings", lambda: _load("accounts_meeting", MEETING_COLUMNS, plan.meetings(history=True)))
    step("tickets", lambda: _load("accounts_supportticket", TICKET_COLUMNS, plan.tickets(history=True)))
    step("sentiment", lambda: _load("accounts_sentimententry", SENTIMENT_COLUMNS, plan.sentiments(history=True)))
    step("success plans", lambda: _load("accounts_successplan", PLAN_COLUMNS, plan.plans()))
    step("analyze", _analyze)
    step(
        f"score D-1 ({DAY - dt.timedelta(days=1)}) with the engine",
        lambda: scores_recompute(as_of=DAY - dt.timedelta(days=1)),
    )
    step("history: 12 earlier weekly snapshots", _history)
    step("history: the weekly dates' color counts", _daily_counts)
    step("outbox: drop the first scoring's color changes", _outbox_clear)
    step(
        "the normal day D: sentiment",
        lambda: _load("accounts_sentimententry", SENTIMENT_COLUMNS, plan.sentiments(history=False)),
    )
    step("the normal day D: meetings", lambda: _load("accounts_meeting", MEETING_COLUMNS, plan.meetings(history=False)))
    step(
        "the normal day D: tickets",
        lambda: _load("accounts_supportticket", TICKET_COLUMNS, plan.tickets(history=False)),
    )
    step("vacuum analyze" if vendor == "postgresql" else "analyze", _analyze)
    with connection.cursor() as cursor:
        for table in (
            "accounts_meeting",
            "accounts_supportticket",
            "accounts_sentimententry",
            "accounts_healthsnapshot",
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            log(f"    {table}: {cursor.fetchone()[0]:,} rows")


class _Steps:
    def __init__(self, vendor: str) -> None:
        self.vendor = vendor

    def __call__(self, name: str, action: Callable):
        started = time.perf_counter()
        log(f"[{self.vendor}] {name} ...")
        result = action()
        log(f"[{self.vendor}] {name}: {time.perf_counter() - started:.1f} s")
        return result


def _users() -> dict[str, list[int]]:
    from django.contrib.auth.models import Group, User

    from healthscore import permissions

    manager = User.objects.create_user("bench-manager", password="bench", first_name="Bench")
    manager.groups.add(Group.objects.get_or_create(name=permissions.MANAGER)[0])
    ids = {}
    for role, count in (("tam", TAMS), ("sal", SALS), ("sa", SAS)):
        User.objects.bulk_create(
            [
                User(username=f"{role}{i:02}", first_name=f"{role.upper()}{i:02}", last_name="Bench")
                for i in range(count)
            ]
        )
        ids[role] = list(
            User.objects.filter(username__regex=rf"^{role}[0-9]+$").order_by("pk").values_list("pk", flat=True)
        )
    return ids


# --- Loading ---------------------------------------------------------------------------------


def _load(table: str, columns: str, rows: Iterable[tuple]) -> int:
    """Write rows set-based: COPY (PostgreSQL) or executemany in one transaction (SQLite)."""
    from django.db import connection, transaction

    total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK_ROWS:
                total += _write(cursor, table, columns, batch)
                batch = []
        total += _write(cursor, table, columns, batch)
    log(f"    {table}: +{total:,} rows")
    return total


def _write(cursor, table: str, columns: str, batch: list[tuple]) -> int:
    from django.db import connection

    if not batch:
        return 0
    if connection.vendor == "postgresql":
        text = "".join("\t".join(r"\N" if v is None else str(v) for v in row) + "\n" for row in batch)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))
    else:
        marks = ", ".join(["%s"] * len(batch[0]))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
    return len(batch)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _history() -> None:
    """Weeks 1-12 before D-1: copies of D-1's snapshots, about 4 % of them a shade different each
    week (so the dashboard's history and "changed since last week" have something to show)."""
    from django.db import connection, transaction

    scored = DAY - dt.timedelta(days=1)
    with transaction.atomic(), connection.cursor() as cursor:
        for week in range(1, WEEKS):
            cursor.execute(
                f"""
                INSERT INTO accounts_healthsnapshot (account_id, date, score, color, measures, inputs, computed_at)
                SELECT account_id, %s, score,
                       CASE WHEN (account_id * 7 + {week} * 13) %% 25 = 0
                            THEN CASE color WHEN 'green' THEN 'yellow' WHEN 'yellow' THEN 'red' ELSE 'yellow' END
                            ELSE color END,
                       measures, inputs, computed_at
                FROM accounts_healthsnapshot WHERE date = %s
                """,
                [scored - dt.timedelta(weeks=week), scored],
            )


def _daily_counts() -> None:
    """The weekly dates' color counts, as each day's full run would have stored them (D-1's came
    from the engine's run)."""
    from django.db import connection

    scored = DAY - dt.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_healthdailycount
                (date, region, segment, tam, public_sector, health_color, accounts, arr)
            SELECT s.date, a.region, a.segment, a.tam_id, a.public_sector, s.color, COUNT(*), SUM(a.arr)
            FROM accounts_healthsnapshot s JOIN accounts_account a ON a.id = s.account_id
            WHERE s.date < %s
            GROUP BY s.date, a.region, a.segment, a.tam_id, a.public_sector, s.color
            """,
            [scored],
        )


def _outbox_clear() -> None:
    """The first scoring "changed" every account from no color; a real system drained those long ago."""
    from django.db import connection

    from accounts.models import HealthChange

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HealthChange._meta.db_table}")


# --- Command line: build (or check) datasets, one process per database ----------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild even when the dataset is there")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        django_setup(args.child)
        ensure(args.sizes[0], rebuild=args.rebuild)
        return
    for n in args.sizes:
        for vendor in args.databases:
            command = [sys.executable, __file__, "--child", database_url(vendor, n), "--sizes", str(n)]
            subprocess.run(command + (["--rebuild"] if args.rebuild else []), cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
