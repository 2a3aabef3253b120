"""import_data on a realistic export: the set-based import against the code it replaced.

    .venv/bin/python bench/import_data.py [--accounts 158000] [--old-accounts 5000]
        [--databases sqlite postgres] [--old-commit a262aa3]
        [--steps first again later old]

Generates (seeded, kept in <tmp>/healthscore-import-<N>.json) a CRM + helpdesk export of N
accounts with their signal data, and in proportion: their latest meetings, recent tickets,
sentiment, success plans, feature requests and champion changes (about 80 MB at 158,000
accounts, 52 MB of it the account rows). Per database, each step on a fresh, migrated database:

- **new, first import**: everything is new (read, parse, write, rescore timed apart; peak RSS);
- **new, same file again**: nothing changes, nothing is written;
- **new, a day later**: the same file with 2 % of the accounts changed (ARR, a new meeting);
- **old code** (`--old-commit`, the per-row `update_or_create` path, checked out with
  `git archive` into a temp directory) and the new code on the first `--old-accounts` accounts
  of the same generator (the old path needs ~9 minutes for the full file), run as
  `manage.py import_data` in a subprocess; Django start-up is timed with `manage.py check`
  and left out.

PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hs_import_bench),
one database per step with a suffix; the name must contain "bench". Production settings
(bench/settings.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/hs_import_bench"
PYTHON = sys.executable
TODAY = "2026-11-24"  # the bench's fixed day (healthscore.clock is pinned to it below)

# Per account, on average (an export of the last weeks' activity and the open items).
MEETINGS = 0.5
TICKETS = 0.5
SENTIMENTS = 0.25
PLANS = 0.5
FEATURE_REQUESTS = 0.1
CHAMPION_CHANGES = 0.03


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The export ------------------------------------------------------------------------------


def _day(rng: random.Random, within: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(TODAY) - dt.timedelta(days=rng.randrange(within))).isoformat()


def document(n: int, *, changed_share: float = 0.0) -> dict:
    """The export of n accounts; `changed_share` of them a day later (ARR moved, a new meeting)."""
    rng = random.Random(f"import-{n}")
    change = random.Random(f"import-change-{n}")
    doc = {k: [] for k in ("accounts", "meetings", "tickets", "success_plans", "sentiments")}
    doc |= {"feature_requests": [], "champion_changes": []}
    regions = ("US-WEST", "US-EAST", "EMEA", "APAC", "LATAM")
    stages = ("plan", "create", "verify", "package", "secure", "release", "configure", "monitor")
    for i in range(n):
        acc = f"001{i:09d}"
        enterprise = rng.random() < 0.45
        arr = round(min(2_000_000, max(5_000, rng.lognormvariate(12.4 if enterprise else 10.3, 0.8))), 2)
        changed = change.random() < changed_share
        if changed:
            arr = round(arr * 1.1, 2)
        purchased = rng.randrange(50, 5000)
        row = {
            "id": acc,
            "name": f"Customer {i:06d} {rng.choice(('Inc', 'GmbH', 'Ltd', 'SA', 'KK'))}",
            "segment": "enterprise" if enterprise else "commercial",
            "arr": arr,
            "region": rng.choice(regions),
            "public_sector": rng.random() < 0.15,
            "renewal_date": _day(rng, 365).replace("2026", "2027", 1),
            "tam": f"tam{rng.randrange(60):02d}@example.com",
            "sal": f"sal{rng.randrange(25):02d}@example.com",
            "deployment": rng.choice(("saas", "saas", "self_managed")),
            "licences_purchased": purchased,
            "licences_used": int(purchased * rng.uniform(0.3, 1.0)),
            "product_stages": sorted(rng.sample(stages, rng.randrange(1, 5))),
        }
        if rng.random() < 0.3:
            row["sa"] = f"sa{rng.randrange(15):02d}@example.com"
        doc["accounts"].append(row)
        for m in range(_count(rng, MEETINGS)):
            doc["meetings"].append({"id": f"MTG-{acc}-{m}", "account": acc, "date": _day(rng, 30), "status": "held"})
        if changed:
            doc["meetings"].append({"id": f"MTG-{acc}-new", "account": acc, "date": TODAY, "status": "held"})
        for t in range(_count(rng, TICKETS)):
            doc["tickets"].append(
                {
                    "id": f"ZD-{acc}-{t}",
                    "account": acc,
                    "opened": _day(rng, 30),
                    "severity": rng.choice(("low", "normal", "normal", "high")),
                    "status": rng.choice(("open", "pending", "solved")),
                    "subject": f"Ticket {t} about {rng.choice(stages)}",
                }
            )
        if rng.random() < PLANS:
            doc["success_plans"].append(
                {"account": acc, "status": rng.choice(("active", "draft", "closed")), "title": "Adoption plan"}
            )
        if rng.random() < SENTIMENTS:
            color = rng.choice(("green", "green", "yellow", "red"))
            doc["sentiments"].append(
                {"account": acc, "color": color, "date": _day(rng, 60), "reason": f"Quarterly review: {color}"}
            )
        if rng.random() < FEATURE_REQUESTS:
            doc["feature_requests"].append({"id": f"FR-{acc}", "account": acc, "title": "SAML group sync"})
        if rng.random() < CHAMPION_CHANGES:
            doc["champion_changes"].append(
                {"id": f"CC-{acc}", "account": acc, "person": "A. Sponsor", "change": "left", "date": _day(rng, 90)}
            )
    return doc


def _count(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def export(n: int, changed_share: float = 0.0) -> tuple[Path, int, int]:
    """The export's path (generated once), its size in bytes and its row count."""
    suffix = f"-changed{int(changed_share * 100)}" if changed_share else ""
    path = Path(tempfile.gettempdir()) / f"healthscore-import-{n}{suffix}.json"
    if not path.exists():
        doc = document(n, changed_share=changed_share)
        path.write_text(json.dumps(doc, separators=(",", ":")))
    doc = json.loads(path.read_text())
    return path, path.stat().st_size, sum(len(rows) for rows in doc.values())


# --- Databases -------------------------------------------------------------------------------


def database_url(vendor: str, step: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{Path(tempfile.gettempdir()) / f'healthscore-import-bench-{step}.sqlite3'}"
    parts = urlsplit(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES)
    name = f"{parts.path.lstrip('/')}_{step}"
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: give the benchmark a database named *bench*")
    return urlunsplit(parts._replace(path=f"/{name}"))


def fresh(url: str, code: Path) -> None:
    """An empty database at `url`, migrated by the code in `code`."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parts.path}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg2

        admin = psycopg2.connect(dbname="postgres", user=parts.username, host=parts.hostname, port=parts.port or 5432)
        admin.autocommit = True
        with admin.cursor() as cursor:
            name = parts.path.lstrip("/")
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    manage(code, url, "migrate", "--verbosity", "0")


def env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "REDIS_URL": ""}


def manage(code: Path, url: str, *args: str) -> float:
    """Run manage.py in `code` against `url`; returns its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=code, env=env(url), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def old_code(commit: str) -> Path:
    """The old import path: the repository at `commit`, with this bench's settings module."""
    where = Path(tempfile.gettempdir()) / f"healthscore-import-old-{commit}"
    if not where.exists():
        where.mkdir()
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    (where / "bench" / "settings.py").write_text((ROOT / "bench" / "settings.py").read_text())
    return where


# --- Measuring -------------------------------------------------------------------------------


def measure_in_process(path: str) -> dict:
    """One import in this process (run as a child with DATABASE_URL set), timed per phase."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from healthscore import clock

    clock.today = lambda: dt.date.fromisoformat(TODAY)
    from django.db import connection

    from accounts.models import HealthSnapshot
    from accounts.scoring import services as scoring
    from imports import document

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    times = {}
    rescore = scoring.accounts_rescore
    rescored = []

    def timed_rescore(**kwargs):
        started = time.perf_counter()
        done = rescore(**kwargs)
        times["rescore"] = time.perf_counter() - started
        rescored.append(done)
        return done

    document.accounts_rescore = timed_rescore
    import gc

    collecting = {"seconds": 0.0, "started": 0.0}

    def collector(phase, info):
        if phase == "start":
            collecting["started"] = time.perf_counter()
        else:
            collecting["seconds"] += time.perf_counter() - collecting["started"]

    gc.callbacks.append(collector)
    started = time.perf_counter()
    doc = document.document_read(path)
    times["read"] = time.perf_counter() - started
    started = time.perf_counter()
    parsed = document.document_parse(doc)
    del doc
    times["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        created = document.document_apply(parsed)
    times["write"] = time.perf_counter() - started - times.get("rescore", 0)
    times["total"] = sum(times.values())
    return {
        "rows": parsed.total(),
        "created": sum(created.values()),
        "rescored": rescored[0] if rescored else 0,
        "queries": queries[0],
        "snapshots": HealthSnapshot.objects.count(),
        "gc_seconds": round(collecting["seconds"], 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **times,
    }


def child(url: str, path: Path) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, "--child", str(path)], cwd=ROOT, env=env(url), check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(vendor: str, args) -> list[str]:
    lines = []
    full, size, rows = export(args.accounts)
    later, _, later_rows = export(args.accounts, changed_share=0.02)
    log(f"[{vendor}] export: {args.accounts:,} accounts, {rows:,} rows, {size / 1e6:.1f} MB")
    url = database_url(vendor, "new")
    fresh(url, ROOT)
    steps = (
        ("first", "new, first import", full, rows),
        ("again", "new, same file again", full, rows),
        ("later", "new, a day later (2 % changed)", later, later_rows),
    )
    for _, label, path, n in (step for step in steps if step[0] in args.steps):
        result = child(url, path)
        log(f"[{vendor}] {label}: {result}")
        lines.append(
            f"| {vendor} | {label} | {n:,} | {result['read']:.1f} | {result['parse']:.1f} | {result['write']:.1f} | "
            f"{result['rescore']:.1f} ({result['rescored']:,}) | **{result['total']:.1f}** | "
            f"**{n / result['total']:,.0f}** | {result['queries']:,} | {result['peak_rss_mb']:,.0f} |"
        )
    if "old" not in args.steps:
        return lines
    # Old against new on the same slice, both as the command line runs them.
    small, small_size, small_rows = export(args.old_accounts)
    old = old_code(args.old_commit)
    for label, code in (("old per-row code", old), ("new code", ROOT)):
        url = database_url(vendor, "old" if code == old else "slice")
        fresh(url, code)
        startup = manage(code, url, "check")
        seconds = manage(code, url, "import_data", str(small), "--verbosity", "0") - startup
        log(f"[{vendor}] {label}, {args.old_accounts:,} accounts ({small_rows:,} rows): {seconds:.1f} s")
        lines.append(
            f"| {vendor} | {label}, first {args.old_accounts:,} accounts, command line | {small_rows:,} | | | | | "
            f"**{seconds:.1f}** | **{small_rows / seconds:,.0f}** | | |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=158_000)
    parser.add_argument("--old-accounts", type=int, default=5_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--old-commit", default="a262aa3")
    parser.add_argument(
        "--steps", nargs="+", default=["first", "again", "later", "old"], choices=["first", "again", "later", "old"]
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_in_process(args.child)))
        return
    lines = [
        "| database | step | rows | read s | parse s | write s | rescore s (accounts) | total s | rows/s | queries "
        "| peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for vendor in args.databases:
        lines += run(vendor, args)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
