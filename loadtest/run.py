"""`make loadtest`: gunicorn + PostgreSQL + a Celery worker on loopback, locust headless for a
bounded time, and a table per page: requests, errors, p50, p95.

    .venv/bin/python loadtest/run.py [--users 50] [--minutes 5] [--accounts 1200] [--reseed]

The database (LOADTEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hs_loadtest_bench;
the name must contain "bench") is created, migrated and filled by `seed_demo --accounts N` once,
then reused (--reseed starts again). Production settings: DEBUG off, collected static files,
gunicorn as deploy/systemd/healthscore-web.service runs it (3 workers), the outbox delivered by a
worker through Redis (LOADTEST_REDIS_URL, default redis://127.0.0.1:6379/5).
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/hs_loadtest_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def environment(database: str, redis: str, port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "loadtest-only-secret-key-not-for-production-use"),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "EMAIL_URL": "dummymail://",
    }


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


def prepare_database(env: dict, accounts: int, reseed: bool) -> None:
    import psycopg2

    parts = urlsplit(env["DATABASE_URL"])
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: give the load test a database named *bench*")
    admin = psycopg2.connect(dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and reseed:
            cursor.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    manage(env, "migrate", "--noinput")
    seeded = manage(env, "seed_demo", "--accounts", str(accounts), "--if-empty", "--verbosity", "0")
    log(seeded.stdout.strip().splitlines()[0] if seeded.stdout.strip() else "seeded")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    subprocess.run(["psql", env["DATABASE_URL"], "-qc", "ANALYZE"], check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_up(url: str, timeout: float = 180) -> None:
    deadline, error = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError as exc:
            error = exc
            time.sleep(0.5)
    sys.exit(f"the app did not answer at {url} within {timeout:.0f} s ({error})")


def report(stats_csv: Path) -> str:
    """The locust stats as a Markdown table (times in ms)."""
    rows = list(csv.DictReader(stats_csv.open()))
    lines = [
        "| page | requests | errors | error rate | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        n, failed = int(row["Request Count"]), int(row["Failure Count"])
        name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"| {name} | {n:,} | {failed:,} | {100 * failed / n if n else 0:.2f} % | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {float(row['Max Response Time']):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--accounts", type=int, default=1200)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="healthscore-loadtest-"))
    port = free_port()
    env = environment(
        os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE),
        os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS),
        port,
    )
    log(f"preparing the database ({args.accounts:,} demo accounts) ...")
    prepare_database(env, args.accounts, args.reseed)
    web = start(
        [str(BIN / "gunicorn"), "healthscore.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3", "--timeout", "30"],
        env,
        work / "gunicorn.log",
    )
    worker = start(
        [sys.executable, "-m", "celery", "-A", "healthscore", "worker", "--without-mingle", "--without-gossip"]
        + ["--loglevel=WARNING", "--concurrency=1"],
        env,
        work / "worker.log",
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        log(f"load: {args.users} users for {args.minutes:g} min against http://127.0.0.1:{port} (logs in {work})")
        load_before = os.getloadavg()
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless"]
            + ["--users", str(args.users), "--spawn-rate", "5", "--run-time", f"{int(args.minutes * 60)}s"]
            + ["--host", f"http://127.0.0.1:{port}", "--csv", str(work / "locust"), "--only-summary"]
            + ["--stop-timeout", "10", "--loglevel", "WARNING"],
            cwd=ROOT,
            check=False,
        )
        load_after = os.getloadavg()
    finally:
        stop(web)
        stop(worker)
    print(report(work / "locust_stats.csv"))
    print(
        f"\nload average (1, 5, 15 min) before: {', '.join(f'{x:.1f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.1f}' for x in load_after)} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
