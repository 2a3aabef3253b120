"""Benchmark: the scorecard what-if preview (accounts.scoring.whatif) on the engine's dataset.

Run on demand, never in the test suite (see bench/README.md):
    .venv/bin/python bench/whatif.py [--sizes 100000] [--databases sqlite postgres] [--repeat 3] [--sample 500]
Data: bench/data.py (built once per database and size, then reused). Settings: bench.settings.

Per database, size and segment, in one process on the same data (nothing is written):
- read floor: only reading every input of the segment's accounts in the preview's chunks;
- preview: whatif_compute for a threshold change (green from 70 instead of 76) and for a weight
  change (sentiment 70 %, support 10 %), each scored under both rules, with the listed accounts'
  names and who would be notified;
- naive: the obvious per-account loop (inputs read per account, scored under both rules) on a
  random sample, scaled to the segment.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data
from bench.measure import QueryCounter
from bench.recompute import table

DAY = data.DAY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=500, help="accounts in the naive loop")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    databases = args.databases or (["sqlite", "postgres"] if os.environ.get("BENCH_DATABASE_URL") else ["sqlite"])
    results = []
    for n in args.sizes:
        for vendor in databases:
            command = [sys.executable, __file__, "--child", data.database_url(vendor, n), "--sizes", str(n)]
            command += ["--repeat", str(args.repeat), "--sample", str(args.sample)]
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    table(
        results,
        [
            ("database", "Database", "{}"),
            ("n", "Accounts (all)", "{:,}"),
            ("segment", "Segment", "{}"),
            ("accounts", "In segment", "{:,}"),
            ("draft", "Draft", "{}"),
            ("floor_s", "Read floor s", "{:.2f}"),
            ("preview_s", "Preview s", "{:.2f}"),
            ("ms_per_1000", "ms per 1,000", "{:.0f}"),
            ("naive_s", "Naive s (scaled)", "{:.0f}"),
            ("naive_ratio", "Naive ÷ preview", "{:.0f}×"),
            ("floor_ratio", "Preview ÷ floor", "{:.1f}×"),
            ("changed", "Would change", "{:,}"),
            ("queries", "Statements", "{}"),
            ("load", "Load (1/5/15)", "{}"),
        ],
    )


def child(args) -> None:
    data.django_setup(args.child)
    from django.db import connection

    from accounts.scoring import inputs, whatif
    from healthscore import clock

    clock.today = lambda: DAY
    n = args.sizes[0]
    data.ensure(n)
    vendor = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    counter = QueryCounter()
    in_force = inputs.rules_by_segment()
    with connection.execute_wrapper(counter):
        for segment in ("enterprise", "commercial"):
            current = in_force[segment]
            drafts = {
                "green from 70": dataclasses.replace(current, green_min_score=70),
                "sentiment 70 %, support 10 %": dataclasses.replace(current, weight_sentiment=70, weight_support=10),
            }
            read_floor(segment, current)  # warm-up
            floors = [read_floor(segment, current) for _ in range(args.repeat)]
            naive_s = naive(segment, current, drafts["green from 70"], args.sample)
            for name, draft in drafts.items():
                times = []
                for _ in range(args.repeat):
                    counter.count = 0
                    start = time.perf_counter()
                    result = whatif.whatif_compute(segment=segment, draft=draft, as_of=DAY)
                    times.append(time.perf_counter() - start)
                preview_s = statistics.median(times)
                floor_s = statistics.median(floors)
                naive_scaled = naive_s * result.accounts / args.sample
                log(f"[{vendor} {n:,} {segment}] {name}: {times} s, {result.changed} change")
                print(
                    json.dumps(
                        {
                            "database": vendor,
                            "n": n,
                            "segment": segment,
                            "accounts": result.accounts,
                            "draft": name,
                            "floor_s": floor_s,
                            "preview_s": preview_s,
                            "ms_per_1000": preview_s * 1_000_000 / max(result.accounts, 1),
                            "naive_s": naive_scaled,
                            "naive_ratio": naive_scaled / preview_s,
                            "floor_ratio": preview_s / floor_s,
                            "changed": result.changed,
                            "queries": counter.count,
                            "load": "/".join(f"{x:.1f}" for x in os.getloadavg()),
                        }
                    ),
                    flush=True,
                )


def read_floor(segment, current) -> float:
    """Only the preview's read: every input of the segment's accounts, in its chunks."""
    from accounts.models import Account
    from accounts.scoring import inputs, whatif

    start = time.perf_counter()
    last_pk = 0
    while True:
        accounts = list(
            Account.objects.filter(segment=segment, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "segment", "arr")[: whatif.CHUNK]
        )
        if not accounts:
            break
        which = inputs.AccountSet(ids=tuple(pk for pk, _, _ in accounts))
        inputs.read_inputs(accounts, which, DAY, {segment: current})
        last_pk = accounts[-1][0]
    return time.perf_counter() - start


def naive(segment, current, draft, sample: int) -> float:
    """The obvious loop: per account, read its inputs (the engine's read for one account) and
    score it under both rules; on a random sample of the segment."""
    from accounts.models import Account
    from accounts.scoring import inputs

    ids = list(Account.objects.filter(segment=segment).values_list("pk", flat=True))
    chosen = random.Random(13).sample(ids, min(sample, len(ids)))
    start = time.perf_counter()
    for pk in chosen:
        account = Account.objects.get(pk=pk)
        [(_, now)] = inputs.scorecards_compute(Account.objects.filter(pk=pk), DAY, {segment: current})
        [(_, then)] = inputs.scorecards_compute(Account.objects.filter(pk=pk), DAY, {segment: draft})
        _ = account.name, now.color != then.color
    return time.perf_counter() - start


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
