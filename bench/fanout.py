"""The full re-score fanned out over Celery workers: 1 worker process against 2, on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_bench9 \\
        .venv/bin/python bench/fanout.py [--size 100000] [--workers 1 2] [--repeat 2]

Each run scores the dataset's normal day (bench/data.py's D, 2.1 % of the colors change) with
`recompute_scores --fan-out` (one task per chunk of 5,000 accounts, the outbox settled by the
chunk that completes the run) on a fresh copy of the dataset (CREATE DATABASE … TEMPLATE, so
every run does the same work), with N worker processes (`celery worker --concurrency N`) on a
Redis broker (BENCH_REDIS_URL, default redis://127.0.0.1:6379/6), production settings. The time
is the command's wall time, from splitting the run to the last chunk done. For comparison the
same copy is also scored by the single-process command (`recompute_scores`, no fan-out).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import data

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def environment(url: str, redis: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use"),
        "SITE_URL": "http://127.0.0.1:8000",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        "EMAIL_URL": "dummymail://",
    }


def admin_sql(base: str, sql: str) -> None:
    import psycopg2

    parts = urlsplit(base)
    connection = psycopg2.connect(dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def fresh_copy(source: str) -> str:
    """A copy of the dataset's database for one run (its name ends in _fanout)."""
    parts = urlsplit(source)
    name = parts.path.lstrip("/")
    copy = f"{name}_fanout"
    admin_sql(source, f'DROP DATABASE IF EXISTS "{copy}"')
    admin_sql(source, f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    return urlunsplit(parts._replace(path=f"/{copy}"))


def timed(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def one_run(source: str, redis: str, workers: int) -> float:
    url = fresh_copy(source)
    env = environment(url, redis)
    subprocess.run(["redis-cli", "-u", redis, "FLUSHDB"], check=True, stdout=subprocess.DEVNULL)
    if workers == 0:
        return timed(env, "recompute_scores", "--as-of", data.DAY.isoformat(), "--verbosity", "0")
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "healthscore", "worker", "--without-mingle", "--without-gossip"]
        + ["--loglevel=WARNING", f"--concurrency={workers}", "--prefetch-multiplier=1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(8)  # the worker's processes are up and connected before the clock starts
        return timed(env, "recompute_scores", "--fan-out", "--as-of", data.DAY.isoformat(), "--verbosity", "0")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    source = data.database_url("postgresql", args.size)
    redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
    rows = []
    for workers in [0, *args.workers]:
        seconds = [one_run(source, redis, workers) for _ in range(args.repeat)]
        plural = "es" if workers > 1 else ""
        label = "one process, no fan-out" if workers == 0 else f"fan-out, {workers} worker process{plural}"
        data.log(f"{label}: {', '.join(f'{s:.1f}' for s in seconds)} s")
        rows.append((label, seconds))
    admin_sql(source, f'DROP DATABASE IF EXISTS "{urlsplit(source).path.lstrip("/")}_fanout"')
    print(f"\n| {args.size:,} accounts, PostgreSQL | wall time (median of {args.repeat}) | runs |")
    print("| --- | ---: | --- |")
    for label, seconds in rows:
        print(f"| {label} | {statistics.median(seconds):.1f} s | {', '.join(f'{s:.1f}' for s in seconds)} s |")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nLoad average (1/5/15 min) after: {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
