"""Benchmark: the scoring engine on a normal day, against the read floor and a naive loop.

Run on demand, never in the test suite (see bench/README.md):
    .venv/bin/python bench/recompute.py [--sizes 10000 100000] [--databases sqlite postgres]
        [--repeat 3] [--sample 1000] [--saves 20] [--profile] [--rebuild]
Data: bench/data.py (built once per database and size, then reused). Settings: bench.settings
(DEBUG off). PostgreSQL is measured when BENCH_DATABASE_URL is set or --databases names it.

Per database and size, in one process and on the same data:
- read floor: only reading every input of all accounts, in the engine's chunks (no compute, no write);
- engine: scores_recompute(as_of=D) on the normal day, and a re-run of the same day;
- naive: a per-account ORM loop on a random sample of accounts, scaled to N;
- sentiment save: accounts.services.sentiment_update on random accounts, with and without a
  color change.
Every measured engine pass and the naive loop run inside a transaction that is rolled back, so
each repeat does the same work; each sentiment save commits and is then undone row by row.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data, rows
from bench.measure import QueryCounter, committed_undone, counted, rolled_back

DAY = data.DAY


# --- Parent: one child process per database and size, then the table ------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=3, help="measured engine passes (median shown)")
    parser.add_argument("--sample", type=int, default=1000, help="accounts in the naive loop")
    parser.add_argument("--saves", type=int, default=20, help="sentiment saves per kind")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one more engine pass")
    parser.add_argument("--threads", type=int, help="chunks scored at once (PostgreSQL; default: the engine's)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the datasets")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    databases = args.databases or (["sqlite", "postgres"] if os.environ.get("BENCH_DATABASE_URL") else ["sqlite"])
    results = []
    for n in args.sizes:
        for vendor in databases:
            command = [sys.executable, __file__, "--child", data.database_url(vendor, n), "--sizes", str(n)]
            command += ["--repeat", str(args.repeat), "--sample", str(args.sample), "--saves", str(args.saves)]
            command += ["--profile"] * args.profile + ["--rebuild"] * args.rebuild
            command += ["--threads", str(args.threads)] if args.threads else []
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    print_tables(results)


def print_tables(results: list[dict]) -> None:
    table(
        results,
        [
            ("database", "Database", "{}"),
            ("n", "Accounts", "{:,}"),
            ("floor_s", "Read floor s", "{:.2f}"),
            ("engine_s", "Engine s", "{:.2f}"),
            ("rerun_s", "Re-run s", "{:.2f}"),
            ("engine_cpu_s", "Engine CPU s", "{:.2f}"),
            ("engine_gc_s", "of it GC s", "{:.2f}"),
            ("naive_s", "Naive s (scaled)", "{:.0f}"),
            ("naive_ratio", "Naive ÷ engine", "{:.0f}×"),
            ("floor_ratio", "Engine ÷ floor", "{:.1f}×"),
            ("rate", "Accounts/s", "{:,.0f}"),
            ("changed", "Changed", "{:,}"),
            ("floor_q", "Floor q", "{:,}"),
            ("engine_q", "Engine q", "{:,}"),
            ("naive_qpa", "Naive q/acct", "{:.1f}"),
        ],
    )
    print(
        "\nSeconds are medians of the measured passes; Engine CPU = the run's CPU time (Python and, on SQLite,"
        "\nthe database engine; its planner or worker processes' too), of it GC = in this process's cyclic garbage"
        "\ncollector; Changed = accounts whose overall color moved on D; q = SQL statements of this process"
        "\n(not its planner or worker processes')."
    )
    table(
        results,
        [
            ("database", "Database", "{}"),
            ("n", "Accounts", "{:,}"),
            ("save_change_ms", "Save, color change ms (median / max)", "{}"),
            ("save_change_q", "Queries", "{}"),
            ("save_same_ms", "Save, same color ms (median / max)", "{}"),
            ("save_same_q", "Queries", "{}"),
        ],
    )
    print(f"\nLoad average (1/5/15 min) during the runs: {', '.join(r['database'] + ' ' + r['load'] for r in results)}")


def table(results: list[dict], columns: list[tuple[str, str, str]]) -> None:
    rows = [[fmt.format(r[key]) for key, _, fmt in columns] for r in results]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, (_, title, _) in enumerate(columns)]
    print()
    print(" | ".join(title.ljust(w) for (_, title, _), w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))


# --- Child: one database, one size -----------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(args) -> None:
    data.django_setup(args.child)
    from django.db import connection
    from django.db.backends.signals import connection_created

    from healthscore import clock

    clock.today = lambda: DAY  # the dataset is laid out around a fixed D
    n = args.sizes[0]
    data.ensure(n, rebuild=args.rebuild)
    counter = QueryCounter()

    def count_too(sender, connection, **kwargs):  # the engine's worker threads' own connections
        # Not twice: a run closes and reopens this thread's connection before it forks its
        # processes (accounts.scoring.processes), and the wrappers outlive the connection.
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(count_too, weak=False)
    vendor = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    load = os.getloadavg()
    with connection.execute_wrapper(counter):
        read_floor(counter)  # warm-up: the same pages in the cache for every measured pass
        floors, engines, reruns = [], [], []
        for i in range(args.repeat):
            floors.append(read_floor(counter))
            first, again, changed = engine_day(counter, args.threads)
            engines.append(first)
            reruns.append(again)
            log(f"[{vendor} {n:,}] pass {i + 1}: floor {floors[-1]}, engine {first}, re-run {again}, {changed} changed")
        naive = naive_loop(counter, args.sample)
        log(f"[{vendor} {n:,}] naive: {naive}")
        saves = {kind: sentiment_saves(counter, args.saves, change=kind) for kind in (True, False)}
        log(f"[{vendor} {n:,}] sentiment saves: {saves}")
    load = "/".join(f"{x:.1f}" for x in (max(a, b) for a, b in zip(load, os.getloadavg(), strict=True)))
    floor_s = statistics.median(s for s, *_ in floors)
    engine_s = statistics.median(s for s, *_ in engines)
    naive_s = naive[0] * n / args.sample
    result = {
        "database": vendor,
        "n": n,
        "floor_s": floor_s,
        "engine_s": engine_s,
        "rerun_s": statistics.median(s for s, *_ in reruns),
        "engine_cpu_s": statistics.median(e[2] for e in engines),
        "engine_gc_s": statistics.median(e[3] for e in engines),
        "naive_s": naive_s,
        "naive_ratio": naive_s / engine_s,
        "floor_ratio": engine_s / floor_s,
        "rate": n / engine_s,
        "changed": changed,
        "floor_q": floors[0][1],
        "engine_q": engines[0][1],
        "naive_qpa": naive[1] / args.sample,
        "load": load,
    }
    for kind, key in ((True, "save_change"), (False, "save_same")):
        times = [ms for ms, *_ in saves[kind]]
        queries = [q for _, q, *_ in saves[kind]]
        result[f"{key}_ms"] = f"{statistics.median(times):.0f} / {max(times):.0f}"
        result[f"{key}_q"] = f"{min(queries)}-{max(queries)}" if min(queries) != max(queries) else str(queries[0])
    if args.profile:
        log(profile_engine())
    print(json.dumps(result), flush=True)


def read_floor(counter: QueryCounter) -> tuple:
    """Only read every input of every account, in the engine's chunks and session settings."""
    from django.db import connection, transaction

    from accounts.models import Account
    from accounts.scoring import inputs
    from accounts.scoring.services import RECOMPUTE_CHUNK

    with counted(counter) as out:
        segment_rules = inputs.rules_by_segment()
        last_pk = 0
        while True:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL jit = off")  # as the engine's chunks do
                ids = list(
                    Account.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:RECOMPUTE_CHUNK]
                )
                if not ids:
                    break
                which = inputs.AccountSet(ids[0], ids[-1])
                accounts = list(
                    Account.objects.filter(**which.filter("pk")).order_by("pk").values_list("pk", "segment", "arr")
                )
                inputs.read_inputs(accounts, which, DAY, segment_rules)
            last_pk = ids[-1]
            if len(ids) < RECOMPUTE_CHUNK:
                break
    return tuple(out)


def engine_day(counter: QueryCounter, threads: int | None) -> tuple[tuple, tuple, int]:
    """scores_recompute for D, then again for D (nothing changes), committed as in production
    and both undone afterwards; and how many color changes the first one recorded in the outbox
    (read from the table: on PostgreSQL worker processes record them)."""
    from accounts.models import HealthChange
    from accounts.scoring.services import RECOMPUTE_THREADS, scores_recompute

    with committed_undone(DAY):
        before = HealthChange.objects.filter(as_of=DAY).count()
        with counted(counter) as first:
            scores_recompute(as_of=DAY, threads=threads or RECOMPUTE_THREADS)
        changed = HealthChange.objects.filter(as_of=DAY).count() - before
        with counted(counter) as again:
            scores_recompute(as_of=DAY, threads=threads or RECOMPUTE_THREADS)
    return tuple(first), tuple(again), changed


def naive_loop(counter: QueryCounter, sample: int) -> tuple:
    """The obvious code: per account, separate ORM queries for each input, the rules, an
    update_or_create of the snapshot and a save of the account (undone afterwards)."""
    from accounts.models import Account
    from accounts.scoring import inputs

    ids = list(Account.objects.values_list("pk", flat=True))
    chosen = random.Random(7).sample(ids, min(sample, len(ids)))
    segment_rules = inputs.rules_by_segment()
    with rolled_back(), counted(counter) as out:
        for pk in chosen:
            naive_score(Account.objects.get(pk=pk), segment_rules)
    return tuple(out)


def naive_score(account, segment_rules) -> None:
    """Every input the engine reads, a query each: the scorecard's, the confidence's (when the
    meeting data, the plans and the ticket sync were last refreshed) and the override in force."""
    from django.db.models import Max

    from accounts.models import DataFeed, FeedSync, HealthSnapshot, MeetingStatus, OverrideStatus
    from accounts.scoring import inputs, rules

    segment = segment_rules[account.segment]
    last_held = (
        account.meetings.filter(status=MeetingStatus.HELD, date__lte=DAY)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    start, end = rules.support_window(DAY, segment.support_window_days)
    tickets = account.tickets.filter(opened__gt=start, opened__lte=end).count()
    plans = list(account.success_plans.values_list("status", "updated_at"))
    statuses = frozenset(status for status, _ in plans)
    sentiment = inputs.sentiment_in_force(account.sentiments.all(), DAY).first()
    recorded = account.meetings.aggregate(latest=Max("created_at"))["latest"]
    synced = dict(FeedSync.objects.values_list("feed", "synced_at"))
    override = account.overrides.filter(status=OverrideStatus.ACTIVE, starts_on__lte=DAY, expires_on__gte=DAY).first()
    values = rules.Inputs(
        segment=account.segment,
        arr=account.arr,
        last_held_meeting=last_held,
        tickets_in_window=tickets,
        plan_statuses=statuses,
        sentiment=sentiment.color if sentiment else None,
        sentiment_date=sentiment.date if sentiment else None,
    )
    result = rules.compute(values, segment, DAY)

    def day(moment):
        return None if moment is None else moment.date()

    meetings_import = day(synced.get(DataFeed.MEETINGS))
    refreshed = {
        "engagement": max((d for d in (day(recorded), meetings_import) if d), default=None),
        "roi": max((day(touched) for _, touched in plans), default=None),
        "support": day(synced.get(DataFeed.TICKETS)),
        "sentiment": sentiment.date if sentiment else None,
    }
    confidence = rules.confidence(result, refreshed, account.segment, segment)
    color = override.color if override else result.color
    HealthSnapshot.objects.update_or_create(
        account=account,
        date=DAY,
        defaults={
            "score": result.score_rounded,
            "color": color,
            "measures": result.measures_dict(),
            "inputs": {
                "tickets_in_window": tickets,
                "plans": sorted(statuses),
                "confidence": None if confidence is None else confidence.percent,
                "confidence_reasons": [] if confidence is None else list(confidence.reasons),
            },
        },
    )
    if account.health_color != color:
        account.health_date = DAY
    account.health_color, account.health_score, account.scored_on = color, result.score_rounded, DAY
    account.computed_color = result.color
    account.health_confidence = None if confidence is None else confidence.percent
    account.save()


def sentiment_saves(counter: QueryCounter, count: int, *, change: bool) -> list[tuple[float, int]]:
    """sentiment_update on random accounts, committed as in production (ms, statements each),
    then undone row by row: the entry, the day's snapshot, the outbox row, the account's health
    and read model."""
    from django.contrib.auth.models import User

    from accounts.models import Account, HealthChange, HealthSnapshot, SentimentEntry
    from accounts.scoring import inputs, writes
    from accounts.services import sentiment_update

    rng = random.Random(11 if change else 13)
    ids = list(Account.objects.filter(tam__isnull=False).values_list("pk", flat=True))
    runs = []
    # The first save of a process pays one-time costs (the broker connection of the enqueue
    # after commit); a web worker has paid them long before: one unmeasured save first.
    for i, pk in enumerate(rng.sample(ids, count + 1)):
        account = Account.objects.select_related("tam").get(pk=pk)
        current = inputs.account_sentiment_in_force(account, DAY)
        current_color = current.color if current else None
        color = rng.choice([c for c in rows.COLORS if c != current_color]) if change else (current_color or "green")
        # Every column the engine writes: a save left the TAM's reason and the words of D on
        # accounts scored on D-1, and the next benchmark's pages and CSV read them.
        health = Account.objects.filter(pk=pk).values(*writes.READ_MODEL).get()
        user = User.objects.get(pk=account.tam_id)
        with counted(counter) as out:
            entry = sentiment_update(account=account, color=color, reason="Bench: a new read", by=user)
        if i:
            runs.append((out[0] * 1000, out[1]))
        SentimentEntry.objects.filter(pk=entry.pk).delete()
        HealthSnapshot.objects.filter(account_id=pk, date=DAY).delete()
        HealthChange.objects.filter(account_id=pk, as_of=DAY).delete()
        Account.objects.filter(pk=pk).update(**health)
    return runs


def profile_engine() -> str:
    """cProfile of one more engine pass (undone): where the time goes, top functions by own time."""
    from accounts.scoring.services import scores_recompute

    profiler = cProfile.Profile()
    with rolled_back():
        profiler.enable()
        scores_recompute(as_of=DAY)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(25)
    return out.getvalue()


if __name__ == "__main__":
    main()
