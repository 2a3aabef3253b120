"""Ten Redis outages with a real Celery worker under a restart loop (as systemd's Restart=always
runs it, deploy/systemd/healthscore-worker.service): every health change made while Redis was
up or down is delivered exactly once (its notifications, their emails and its triage record).

The test starts a Redis of its own on a free port and kills and restarts it (the machine's
shared Redis is never touched). The web side is this test process, saving sentiment through
the real service; beat sends the outbox drain every 2 seconds here (every minute in
production). Runs in CI (REDIS_URL set, PostgreSQL); bounded to about a minute and a half."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts import services
from accounts.models import Color, HealthChange, Region
from accounts.tests.factories import healthy_account
from healthscore import broker, clock
from healthscore.celery import app as celery_app
from notifications.models import EmailStatus, Notification
from triage.models import TriageRecord

from .test_integration import _database_url

ROOT = Path(__file__).resolve().parents[2]
OUTAGES = 10
BUDGET_SECONDS = 85

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the real Redis: set REDIS_URL"),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start a Redis of its own"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server on its own port, without persistence: a restart loses every queued task,
    as a crashed Redis without AOF does; the outbox must make up for it."""

    def __init__(self, log: Path):
        self.port, self.log, self.process = _free_port(), log, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        assert _wait_for(lambda: _answers(client), timeout=10), "redis-server did not start"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def _answers(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


def _supervised(args: list[str], log: Path, url: str) -> subprocess.Popen:
    """`celery <args>` restarted whenever it exits (after 1 s), like systemd's Restart=always;
    the loop and its children form one process group, stopped together at the end."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthscore.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    command = " ".join([sys.executable, "-m", "celery", "-A", "healthscore", *args])
    loop = f'while true; do {command}; echo "[restart loop] exited with status $?, restarting"; sleep 1; done'
    return subprocess.Popen(
        ["bash", "-c", loop],
        cwd=log.parent,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_for(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def _use_broker(url: str) -> None:
    """Point this process (the web side) at `url`; Celery keeps its pools, so drop them."""
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, url
    celery_app._pool = None
    broker.broker_state_reset()
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis.log")
    server.start()
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    _use_broker(server.url)
    yield server
    conf.task_always_eager, conf.broker_url = saved
    _use_broker(saved[1])
    if server.process.poll() is None:
        server.kill()


def _pending() -> int:
    return HealthChange.objects.filter(processed_at__isnull=True).count()


# Committed data the worker sees; the flush after it must not take the migrations' rows
# (scorecard configuration) from the tests that follow in the same run.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_change_is_delivered_exactly_once_through_ten_redis_outages(own_redis, tam, people, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker and beat share the test database")
    started = time.monotonic()
    today = clock.today()
    accounts = [
        healthy_account(today=today, tam=tam, region=Region.EMEA, sal=people.sal, name=f"Outage {i:02d}")
        for i in range(2 * OUTAGES)
    ]
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="outage test: drain every 2 s", task="accounts.tasks.drain_outbox", interval=every_2s
    )

    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    # The production unit's worker (prefork, late acks), with one child to spare the machine.
    worker = _supervised(
        ["worker", "--without-mingle", "--without-gossip", "--loglevel=INFO", "--concurrency=1"],
        worker_log,
        own_redis.url,
    )
    beat = _supervised(["beat", "--loglevel=INFO", "--max-interval=1"], beat_log, own_redis.url)
    made_while_down = []
    try:
        for outage in range(OUTAGES):
            left = BUDGET_SECONDS - (time.monotonic() - started)
            # Redis up: a change, then every change so far delivered (the ones made while it
            # was down included).
            up, down = accounts[2 * outage], accounts[2 * outage + 1]
            services.sentiment_update(account=up, color=Color.RED, reason="Budget cut", by=tam)
            assert _wait_for(lambda: _pending() == 0, timeout=left), f"outage {outage}: not delivered in time"
            own_redis.kill()
            services.sentiment_update(account=down, color=Color.RED, reason="Champion left", by=tam)
            # The save committed its promise; nothing could deliver it yet.
            made_while_down.append(HealthChange.objects.get(account=down, processed_at__isnull=True).pk)
            time.sleep(0.5)
            own_redis.start()
        left = BUDGET_SECONDS - (time.monotonic() - started)

        def all_sent() -> bool:
            sent = Notification.objects.filter(email_status=EmailStatus.SENT).count()
            return _pending() == 0 and sent == 6 * len(accounts)

        delivered = _wait_for(all_sent, timeout=max(left, 1))
    finally:
        _stop_group(beat)
        _stop_group(worker)
    logs = f"worker:\n{worker_log.read_text()[-4000:]}\nbeat:\n{beat_log.read_text()[-1500:]}"
    assert delivered, logs
    assert time.monotonic() - started < 90, "the outage loop overran its time budget"
    assert len(made_while_down) == OUTAGES

    # Exactly once: one change per account, six people told of each, one email each, one
    # triage record per account, however often Redis went away and the worker restarted.
    changes = HealthChange.objects.filter(account__in=accounts, new_color=Color.RED)
    assert changes.count() == len(accounts)
    assert not changes.filter(processed_at__isnull=True).exists()
    told = sorted(Notification.objects.filter(change__in=made_while_down).values_list("recipient__username", flat=True))
    assert told == sorted(["asm", "director", "rd", "rtm", "sal", "vp"] * OUTAGES), logs
    assert Notification.objects.count() == 6 * len(accounts)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
    subjects = re.findall(r"\[Healthscore\] (Outage \d\d) is now red \(was green\)", worker_log.read_text())
    assert sorted(subjects) == sorted(a.name for a in accounts for _ in range(6)), logs
    for account in accounts:
        assert TriageRecord.objects.filter(account=account, risk="HS::Red").count() == 1
