"""A real Celery worker and beat, as subprocesses, against the machine's Redis and the test
database: a schedule fires, the worker runs the daily jobs, and the database shows the results,
once each however often the schedule fires. Runs in CI (REDIS_URL set, PostgreSQL)."""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import Color, Region
from accounts.tests.factories import AccountFactory, SentimentFactory, healthy_account
from healthscore import clock
from notifications.models import EmailStatus, Notification
from triage.models import Cta, CtaKind, TriageRecord

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the real Redis: set REDIS_URL"),
]


def _database_url() -> str:
    """The database pytest-django created for this run, for the subprocesses."""
    s = connection.settings_dict
    auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "healthscore", *args],
        cwd=log.parent,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_for(check, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)  # committed data the subprocesses see
def test_worker_and_beat_run_the_daily_jobs_on_schedule(tam, people, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker and beat share the test database")
    today = clock.today()
    # Scored green yesterday; the TAM's red sentiment of today is scored by tonight's job.
    turning_red = healthy_account(
        today=today - dt.timedelta(days=1), tam=tam, region=Region.EMEA, sal=people.sal, name="Turning Red"
    )
    SentimentFactory(account=turning_red, color=Color.RED, date=today, author=tam)
    new = AccountFactory(tam=tam, name="Brand New", region=Region.APAC)  # first scored tonight
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="integration: daily jobs every second", task="healthscore.tasks.run_daily_jobs", interval=every_second
    )

    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    worker = _start(
        ["worker", "--without-mingle", "--without-gossip", "--pool=solo", "--loglevel=INFO", "--purge"], worker_log
    )
    beat = _start(["beat", "--loglevel=INFO", "--max-interval=1"], beat_log)
    try:

        def daily_jobs_ran_three_times() -> bool:
            runs = re.findall(r"Task healthscore\.tasks\.run_daily_jobs\[[^\]]+\] succeeded", worker_log.read_text())
            emailed = Notification.objects.filter(account=turning_red, email_status=EmailStatus.SENT).count()
            return len(runs) >= 3 and emailed == 6

        fired = _wait_for(daily_jobs_ran_three_times)
    finally:
        _stop(beat)
        _stop(worker)
    logs = f"worker:\n{worker_log.read_text()[-3000:]}\nbeat:\n{beat_log.read_text()[-2000:]}"
    assert fired, logs
    assert worker.returncode is not None and beat.returncode is not None  # both stopped

    # The results, once each, however many times the schedule fired.
    notified = sorted(Notification.objects.filter(account=turning_red).values_list("recipient__username", flat=True))
    assert notified == ["asm", "director", "rd", "rtm", "sal", "vp"], logs
    assert Notification.objects.count() == 6  # the first score of "Brand New" tells no one
    assert TriageRecord.objects.filter(account=turning_red, risk="HS::Red").count() == 1
    assert TriageRecord.objects.filter(account=new).count() == 1
    assert Cta.objects.filter(account=new, kind=CtaKind.MISSED_CADENCE).count() == 1
    assert "[Healthscore] Turning Red is now red (was green)" in worker_log.read_text()  # the console email
