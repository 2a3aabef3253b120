"""Benchmark: server time of the pages that list many accounts, on the recompute datasets.

Run on demand, never in the test suite (see bench/README.md):
    .venv/bin/python bench/pages.py [--sizes 100000] [--databases sqlite postgres] [--repeat 5]
Data: bench/data.py (the same datasets as bench/recompute.py, built once and reused), as the
last full run (D-1) left them; nothing is written. Settings: bench.settings (DEBUG off).

Server time is the time Django takes to answer in-process through the test client (middleware,
session, queries, template; for a CSV the whole streamed body), without a network or a WSGI
server in front. Per page: the median of --repeat requests after one unmeasured request, the
slowest, and the number of SQL statements.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data
from bench.measure import QueryCounter

DAY = data.DAY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    databases = args.databases or (["sqlite", "postgres"] if os.environ.get("BENCH_DATABASE_URL") else ["sqlite"])
    results = []
    for n in args.sizes:
        for vendor in databases:
            command = [sys.executable, __file__, "--child", data.database_url(vendor, n), "--sizes", str(n)]
            command += ["--repeat", str(args.repeat)]
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    print()
    print("Database   | Accounts | Page                                   | Median ms | Max ms | Queries | Rows")
    print("-----------|---------:|----------------------------------------|----------:|-------:|--------:|-----:")
    for r in results:
        print(
            f"{r['database']:<10} | {r['n']:>8,} | {r['page']:<38} | {r['median_ms']:>9.0f} | {r['max_ms']:>6.0f}"
            f" | {r['queries']:>7} | {r['rows']:>4}"
        )
    print(f"\nLoad average (1/5/15 min) during the runs: {', '.join(sorted({r['load'] for r in results}))}")


def child(args) -> None:
    data.django_setup(args.child)
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Account
    from healthscore import clock, permissions

    clock.today = lambda: DAY
    n = args.sizes[0]
    data.ensure(n)
    # The pages show the dataset as the last full run (D-1) left it; D stays unscored, as
    # bench/recompute.py needs it.
    vendor = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    manager = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin")
    busiest = Account.objects.values("tam").annotate(n=Count("pk")).order_by("-n").first()
    tam = User.objects.get(pk=busiest["tam"])
    tam.groups.add(Group.objects.get_or_create(name=permissions.TAM)[0])  # bench users have no role
    pages = Account.objects.count() // 50 + 1
    measured = [
        (manager, "/dashboard/", "dashboard, page 1"),
        (manager, f"/dashboard/?page={pages}", "dashboard, last page"),
        (manager, "/dashboard/?region=EMEA&color=red", "dashboard, EMEA red"),
        (manager, f"/dashboard/?tam={tam.pk}&stale=yes", "dashboard, one TAM, stale"),
        (manager, "/dashboard/export.csv", f"dashboard CSV, all {n:,} rows"),
        (tam, "/my/", f"My accounts ({busiest['n']:,} accounts)"),
        (manager, "/accounts/", "Accounts, page 1"),
    ]
    load = os.getloadavg()
    for user, url, label in measured:
        client = Client()
        client.force_login(user)
        counter = QueryCounter()
        times = []
        rows = 0
        for i in range(args.repeat + 1):
            counter.count = 0
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"{url}: HTTP {response.status_code}")
            if i:
                times.append(elapsed)
            rows = body.count(b"\n") - 1 if url.endswith(".csv") else 0
        data.log(f"[{vendor} {n:,}] {label}: {statistics.median(times):.0f} ms, {counter.count} queries")
        load_now = os.getloadavg()
        print(
            json.dumps(
                {
                    "database": vendor,
                    "n": n,
                    "page": label,
                    "median_ms": statistics.median(times),
                    "max_ms": max(times),
                    "queries": counter.count,
                    "rows": rows if url.endswith(".csv") else 0,
                    "load": "/".join(f"{max(a, b):.1f}" for a, b in zip(load, load_now, strict=True)),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
