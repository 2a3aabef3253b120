"""Benchmark: how long recompute_scores takes, and how many queries, for N accounts.

Run on demand, never in the test suite:
    DEBUG=true .venv/bin/python bench/recompute.py [--sizes 1000 10000]
It uses a scratch SQLite file, or the database in BENCH_DATABASE_URL (give it a database of its
own: it is flushed), e.g. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_bench.
"""

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
scratch = Path(tempfile.gettempdir()) / "healthscore-bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch}")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthscore.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Account, Meeting, SentimentEntry, SuccessPlan, SupportTicket  # noqa: E402
from accounts.scoring.services import scores_recompute  # noqa: E402

TODAY = dt.date(2026, 11, 24)


def build(n: int) -> None:
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(1)
    accounts = [
        Account(
            external_id=f"B{i:07d}",
            name=f"Bench {i}",
            segment=rng.choice(["enterprise", "commercial"]),
            arr=Decimal(rng.randrange(5, 500) * 1000),
            region=rng.choice(["US-WEST", "US-EAST", "EMEA", "APAC", "LATAM"]),
        )
        for i in range(n)
    ]
    Account.objects.bulk_create(accounts, batch_size=5000)
    ids = list(Account.objects.values_list("pk", flat=True))
    Meeting.objects.bulk_create(
        [Meeting(account_id=pk, date=TODAY - dt.timedelta(days=rng.randrange(0, 150))) for pk in ids for _ in range(3)],
        batch_size=5000,
    )
    SupportTicket.objects.bulk_create(
        [
            SupportTicket(account_id=pk, external_id=f"T{pk}-{k}", opened=TODAY - dt.timedelta(days=rng.randrange(60)))
            for pk in ids
            for k in range(rng.randrange(0, 10))
        ],
        batch_size=5000,
    )
    SuccessPlan.objects.bulk_create(
        [SuccessPlan(account_id=pk, status=rng.choice(["draft", "active"])) for pk in ids if rng.random() < 0.7],
        batch_size=5000,
    )
    SentimentEntry.objects.bulk_create(
        [
            SentimentEntry(account_id=pk, color=rng.choice(["green", "yellow", "red"]), date=TODAY, reason="bench")
            for pk in ids
        ],
        batch_size=5000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    print(f"{'accounts':>9} | {'first run s':>11} | {'rerun s':>7} | {'queries':>7}")
    for n in args.sizes:
        build(n)
        reset_queries()
        start = time.perf_counter()
        scores_recompute(as_of=TODAY)
        first = time.perf_counter() - start
        reset_queries()  # the query log keeps 9,000 at most; start the count from empty
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            scores_recompute(as_of=TODAY)
            again = time.perf_counter() - start
        print(f"{n:>9} | {first:>11.2f} | {again:>7.2f} | {len(ctx.captured_queries):>7}")


if __name__ == "__main__":
    main()
