"""Benchmark: server time of the risk dashboard and its CSV export at 10,000 and 100,000 accounts.

Run on demand, never in the test suite (see bench/README.md):
    .venv/bin/python bench/dashboard.py [--sizes 10000 100000] [--repeat 3]
It always measures SQLite (a scratch file in the temp directory) and, when BENCH_DATABASE_URL or
DATABASE_URL points at PostgreSQL, PostgreSQL too. That database is emptied and refilled, so it
must be a database of its own whose name contains "bench" (e.g. hs_bench); it is created if missing.

Each account gets 13 weekly snapshots (the demo's history) and one sentiment entry, written with
set-based INSERT ... SELECT statements so 100,000 accounts build in well under a minute.
Server time is the time Django takes to answer in-process (middleware, queries, template, and for
the CSV the whole streamed body), without a network or a WSGI server in front.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)
WEEKS = 13
TAMS = 60
FILTER = "?region=EMEA&color=red"
SQLITE_FILE = Path(tempfile.gettempdir()) / "healthscore-bench-dashboard.sqlite3"

WEIGHTS = {"engagement": 10, "roi": 10, "support": 5, "sentiment": 75}
DETAILS = {
    "green": ("12 days since last meeting", "Active success plan", "2 tickets opened", "Set to green"),
    "yellow": ("45 days since last meeting", "Draft success plan, none active", "4 tickets opened", "Set to yellow"),
    "red": ("95 days since last meeting", "No success plan", "21 tickets opened", "Set to red"),
}
# What a snapshot of each color says per measure (support stays green on a yellow account).
MEASURE_COLORS = {"green": ("green",) * 4, "yellow": ("yellow", "yellow", "green", "yellow"), "red": ("red",) * 4}
MEASURES = {
    color: {
        name: {"color": c, "weight": w, "effective_weight": float(w), "detail": detail}
        for (name, w), c, detail in zip(WEIGHTS.items(), MEASURE_COLORS[color], DETAILS[color], strict=True)
    }
    for color in DETAILS
}
SCORES = {"green": "88.0", "yellow": "62.5", "red": "25.0"}


# --- Parent: run one child process per database, print the table ----------------------------


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return url if url.startswith(("postgres://", "postgresql://")) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (median shown)")
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the database URL a child measures
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.sizes, args.repeat)

    targets = [("SQLite", f"sqlite:///{SQLITE_FILE}")] if "sqlite" in args.databases else []
    pg = postgres_url() if "postgres" in args.databases else None
    if pg:
        name = urlsplit(pg).path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to empty database {name!r}: give the benchmark its own database named *bench*")
        targets.append(("PostgreSQL", pg))
    elif "postgres" in args.databases:
        print("(PostgreSQL skipped: set BENCH_DATABASE_URL or DATABASE_URL to a postgres://…/hs_bench URL)")
    results = []
    for label, url in targets:
        command = [sys.executable, __file__, "--child", url, "--repeat", str(args.repeat), "--sizes"]
        command += [str(n) for n in args.sizes]
        out = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
        results += [{"database": label, **json.loads(line)} for line in out.splitlines() if line.startswith("{")]
    print_table(results)


def print_table(results: list[dict]) -> None:
    columns = [
        ("database", "Database", "{}"),
        ("accounts", "Accounts", "{:,}"),
        ("snapshots", "Snapshots", "{:,}"),
        ("page_ms", "Page 1 ms", "{:.0f}"),
        ("filtered_ms", "Filtered ms", "{:.0f}"),
        ("last_page_ms", "Last page ms", "{:.0f}"),
        ("queries", "Queries", "{}"),
        ("csv_s", "CSV s", "{:.2f}"),
        ("csv_rows", "CSV rows", "{:,}"),
        ("csv_mb", "CSV MB", "{:.1f}"),
        ("csv_peak_mb", "CSV peak MB", "{:.1f}"),
    ]
    rows = [[fmt.format(r[key]) for key, _, fmt in columns] for r in results]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, (_, title, _) in enumerate(columns)]
    print()
    print(" | ".join(title.ljust(w) for (_, title, _), w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    print(f"\nPage: /dashboard/ (first page, 50 rows). Filtered: /dashboard/{FILTER}. Times are medians.")


# --- Child: build and measure on one database -----------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(url: str, sizes: list[int], repeat: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from healthscore import clock

    clock.today = lambda: TODAY  # the snapshots are laid out around a fixed date
    for n in sizes:
        fresh_database(url)
        started = time.perf_counter()
        build(n)
        log(f"[{url.split(':')[0]}] built {n:,} accounts in {time.perf_counter() - started:.1f} s")
        print(json.dumps({"accounts": n, **measure(n, repeat)}), flush=True)


def fresh_database(url: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    if url.startswith("sqlite"):
        SQLITE_FILE.unlink(missing_ok=True)
    else:
        create_postgres_database(url)
    call_command("migrate", verbosity=0)
    if not url.startswith("sqlite"):
        call_command("flush", interactive=False, verbosity=0)  # a previous run's rows


def create_postgres_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def build(n: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from accounts.models import Account, Region, Segment
    from healthscore import permissions

    rng = random.Random(n)
    with transaction.atomic():
        manager = User.objects.create_user("bench-manager", password="bench", first_name="Bench")
        manager.groups.add(Group.objects.get_or_create(name=permissions.MANAGER)[0])
        User.objects.bulk_create(
            [User(username=f"tam{i:02}", first_name=f"Tam{i:02}", last_name="Bench") for i in range(TAMS)]
        )
        tam_ids = list(User.objects.filter(username__startswith="tam").values_list("pk", flat=True))
        regions, segments = Region.values, Segment.values
        Account.objects.bulk_create(
            (
                Account(
                    external_id=f"B{i:07d}",
                    name=f"Bench account {i}",
                    segment=rng.choice(segments),
                    arr=Decimal(rng.randrange(5, 1500) * 1000),
                    region=rng.choice(regions),
                    public_sector=rng.random() < 0.15,
                    tam_id=rng.choice(tam_ids) if rng.random() < 0.98 else None,
                    health_date=TODAY - dt.timedelta(days=rng.randrange(0, 150)),
                )
                for i in range(n)
            ),
            batch_size=5000,
        )
        pg = connection.vendor == "postgresql"
        json_param = "%s::jsonb" if pg else "%s"
        with connection.cursor() as cursor:
            for week in range(WEEKS):
                date = TODAY - dt.timedelta(weeks=WEEKS - 1 - week)
                color = snapshot_color_sql(week)
                cursor.execute(
                    f"""
                    INSERT INTO accounts_healthsnapshot (account_id, date, score, color, measures, inputs, computed_at)
                    SELECT id, %s,
                           CASE c WHEN 'green' THEN {SCORES["green"]} WHEN 'yellow' THEN {SCORES["yellow"]}
                                  WHEN 'red' THEN {SCORES["red"]} END,
                           c,
                           CASE c WHEN 'green' THEN {json_param} WHEN 'yellow' THEN {json_param}
                                  WHEN 'red' THEN {json_param} ELSE {json_param} END,
                           {json_param}, CURRENT_TIMESTAMP
                    FROM (SELECT id, {color} AS c FROM accounts_account) AS colored
                    """,
                    [
                        date,
                        json.dumps(MEASURES["green"]),
                        json.dumps(MEASURES["yellow"]),
                        json.dumps(MEASURES["red"]),
                        "{}",
                        "{}",
                    ],
                )
            # Current health = the latest snapshot, as snapshots_store leaves it.
            cursor.execute(
                """
                UPDATE accounts_account SET
                  health_color = (SELECT s.color FROM accounts_healthsnapshot s
                                  WHERE s.account_id = accounts_account.id AND s.date = %s),
                  health_score = (SELECT s.score FROM accounts_healthsnapshot s
                                  WHERE s.account_id = accounts_account.id AND s.date = %s),
                  scored_on = %s
                """,
                [TODAY, TODAY, TODAY],
            )
            cursor.execute(
                """
                INSERT INTO accounts_sentimententry (account_id, color, reason, date, source, created_at)
                SELECT id, COALESCE(health_color, 'green'), 'Bench: sponsor changed, adoption slowed', %s,
                       'scorecard', CURRENT_TIMESTAMP
                FROM accounts_account
                """,
                [TODAY - dt.timedelta(days=3)],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does shortly after a bulk load


def snapshot_color_sql(week: int) -> str:
    """A deterministic color per account and week: about 62 % green, 25 % yellow, 13 % red, one
    in 211 unscored, and about one account in 29 a shade worse in any given week."""
    # "%%": the statement goes through the driver's parameter formatting.
    base = "(id %% 100)"
    wobble = f"((id * 7 + {week} * 13) %% 29 = 0)"
    return (
        f"CASE WHEN id %% 211 = 0 THEN NULL "
        f"WHEN {wobble} THEN CASE WHEN {base} < 62 THEN 'yellow' ELSE 'red' END "
        f"WHEN {base} < 62 THEN 'green' WHEN {base} < 87 THEN 'yellow' ELSE 'red' END"
    )


def measure(n: int, repeat: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import HealthSnapshot

    client = Client()
    client.force_login(User.objects.get(username="bench-manager"))
    last_page = (n + 49) // 50

    def timed_page(url: str) -> float:
        assert client.get(url).status_code == 200  # warm-up: caches, connections
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        return statistics.median(times) * 1000

    def csv_once() -> tuple[float, int, int]:
        start = time.perf_counter()
        response = client.get("/dashboard/export.csv")
        size = rows = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
        return time.perf_counter() - start, rows - 1, size

    with CaptureQueriesContext(connection) as ctx:
        client.get("/dashboard/")
    queries = len(ctx)  # now: the next request clears the connection's query log
    result = {
        "snapshots": HealthSnapshot.objects.count(),
        "page_ms": timed_page("/dashboard/"),
        "filtered_ms": timed_page(f"/dashboard/{FILTER}"),
        "last_page_ms": timed_page(f"/dashboard/?page={last_page}"),
        "queries": queries,
    }
    runs = [csv_once() for _ in range(repeat)]
    result["csv_s"] = statistics.median(r[0] for r in runs)
    result["csv_rows"] = runs[0][1]
    result["csv_mb"] = runs[0][2] / 1e6
    tracemalloc.start()
    csv_once()
    result["csv_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    log(f"[{connection.vendor}] {n:,} accounts: {result}")
    return result


if __name__ == "__main__":
    main()
