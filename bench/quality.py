"""The Scorecard quality page's reads at 100,000 accounts with a year of renewals (PostgreSQL).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_quality_bench .venv/bin/python bench/quality.py

Builds (once; --rebuild to redo) N accounts, a snapshot every SNAPSHOT_DAYS days over the last
15 months for each (with inputs as the engine stores them), and one renewal outcome per account
dated over the last year; then times each horizon's query as recorded (one GROUP BY) and under a
draft configuration (one query returning each renewal's snapshot, rescored in Python), and the
whole page through the test client. The database name must contain "bench".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hs_quality_bench")
assert "bench" in URL.rsplit("/", 1)[1], "the benchmark database's name must contain 'bench'"
os.environ["DATABASE_URL"] = URL

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.scoring import rules  # noqa: E402
from quality import selectors  # noqa: E402

DAY = dt.date(2026, 11, 24)
SNAPSHOT_DAYS = 14


def build(n: int) -> None:
    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM accounts_account), (SELECT count(*) FROM quality_renewaloutcome)")
        if cur.fetchone() == (n, n):
            return
        print(f"building {n:,} accounts ...", flush=True)
        cur.execute("TRUNCATE accounts_account, accounts_healthsnapshot, quality_renewaloutcome CASCADE")
        cur.execute(
            """INSERT INTO accounts_account (external_id, name, segment, arr, region, public_sector, onboarding,
                 sentiment_reason, created_at, updated_at)
               SELECT 'B' || i, 'Bench ' || i, CASE WHEN i %% 20 < 9 THEN 'enterprise' ELSE 'commercial' END,
                 5000 + (i * 7919) %% 500000, 'EMEA', false, false, '', now(), now()
               FROM generate_series(1, %s) AS i""",
            [n],
        )
        # A snapshot every SNAPSHOT_DAYS days over 15 months: sentiment and meetings vary by account and date.
        cur.execute(
            """INSERT INTO accounts_healthsnapshot (account_id, date, score, color, measures, inputs, computed_at)
               SELECT a.id, d::date, NULL,
                 (ARRAY['green','green','yellow','red'])[1 + (a.id + k) %% 4], '{}'::jsonb,
                 jsonb_build_object('segment', a.segment, 'arr', a.arr::text,
                   'last_held_meeting', (d - ((a.id * 13 + k * 7) %% 90) * interval '1 day')::date::text,
                   'tickets_in_window', (a.id + k) %% 20, 'active_plan', a.id %% 3 = 0, 'draft_plan', a.id %% 3 = 1,
                   'sentiment', (ARRAY['green','green','yellow','red'])[1 + (a.id + k) %% 4],
                   'sentiment_date', (d - interval '5 days')::date::text, 'score_unrounded', NULL), now()
               FROM accounts_account a,
                 generate_series(%s::date - interval '455 days', %s::date, %s * interval '1 day')
                   WITH ORDINALITY AS g(d, k)""",
            [DAY, DAY, SNAPSHOT_DAYS],
        )
        cur.execute(
            """INSERT INTO quality_renewaloutcome (account_id, date, outcome, arr, created_at)
               SELECT a.id, %s::date - ((a.id * 37) %% 365)::int,
                 (ARRAY['renewed','renewed','expanded','downsell','churned'])[1 + (a.id * 7) %% 5],
                 CASE WHEN (a.id * 7) %% 5 = 4 THEN 0 ELSE a.arr END, now()
               FROM accounts_account a""",
            [DAY],
        )
        cur.execute("ANALYZE")


def timed(label: str, fn, repeat: int = 3):
    best = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    print(f"{label:<52} {best * 1000:8.0f} ms  ({len(queries)} queries)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    build(args.accounts)
    period = selectors.Period(DAY - dt.timedelta(days=365), DAY)
    enterprise = selectors.Period(period.start, period.end, "enterprise")
    draft = rules.Rules(yellow_min_score=60)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM quality_renewaloutcome")
        renewals = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM accounts_healthsnapshot")
        print(f"{args.accounts:,} accounts, {renewals:,} renewals, {cur.fetchone()[0]:,} snapshots")
    timed("as recorded, 3 horizons, all segments", lambda: selectors.backtests_recorded(period))
    timed("as recorded, 3 horizons, enterprise", lambda: selectors.backtests_recorded(enterprise))
    timed("draft, 3 horizons, enterprise", lambda: selectors.backtests_compared(enterprise, draft))
    from django.contrib.auth.models import User

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_superuser": True})
    client = Client()
    client.force_login(manager)
    q = f"start={period.start}&end={period.end}"
    timed("page, as recorded (3 horizons)", lambda: client.get(f"/quality/?{q}"))
    timed(
        "page, with a draft (enterprise, 3 horizons)",
        lambda: client.get(f"/quality/?{q}&segment=enterprise&yellow_min_score=60"),
    )


if __name__ == "__main__":
    main()
