"""A hung or dead Redis costs a save under a second: the outbox row is the promise, the enqueue
is best effort (healthscore.broker), and the periodic drain delivers what was not enqueued."""

import time

import pytest

from accounts import tasks
from accounts.models import Color, HealthChange
from healthscore import broker
from notifications.tests.test_tasks import broker_down, red, silent_broker  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _timed_save(account, color, capture):
    started = time.monotonic()
    with capture(execute=True):
        from accounts import services

        services.sentiment_update(account=account, color=color, reason="Changed", by=account.tam)
    return time.monotonic() - started


def _normal_save_time(account_in, capture, monkeypatch):
    """The same kind of save with the enqueue skipped: the baseline."""
    with monkeypatch.context() as patch:
        patch.setattr(tasks, "outbox_drain_enqueue", lambda: None)
        account = account_in(Color.GREEN)
        return _timed_save(account, Color.RED, capture)


@pytest.mark.parametrize("broker_state", ["silent_broker", "broker_down"])
def test_every_save_with_a_hung_or_dead_broker_takes_under_a_second_more(
    request, broker_state, account_in, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    normal = _normal_save_time(account_in, django_capture_on_commit_callbacks, monkeypatch)
    request.getfixturevalue(broker_state)
    account = account_in(Color.GREEN)
    changes_before = HealthChange.objects.filter(account=account).count()
    # The first save of a fresh web worker (no connection yet), then the following ones.
    for color in (Color.RED, Color.YELLOW, Color.GREEN):
        elapsed = _timed_save(account, color, django_capture_on_commit_callbacks)
        assert elapsed - normal < 1.0, (broker_state, color, elapsed, normal)
    assert HealthChange.objects.filter(account=account).count() == changes_before + 3  # every promise kept
    assert "Broker unreachable" in caplog.text


def test_after_a_failed_probe_no_enqueue_is_tried_until_the_retry_time(broker_down, monkeypatch):  # noqa: F811
    attempts = []
    monkeypatch.setattr(tasks.drain_outbox, "delay", lambda *a, **k: attempts.append(a))
    tasks.outbox_drain_enqueue()
    tasks.outbox_drain_enqueue()
    assert attempts == []
    clock = [time.monotonic() + broker.BROKER_RETRY_SECONDS + 1]
    monkeypatch.setattr(broker.time, "monotonic", lambda: clock[0])
    assert broker.broker_answers("redis://127.0.0.1:1/0") is False  # probes again, still dead


def test_a_healthy_broker_is_enqueued_to(monkeypatch):
    attempts = []
    monkeypatch.setattr(tasks.drain_outbox, "delay", lambda *a, **k: attempts.append(a))
    monkeypatch.setattr(broker, "broker_answers", lambda url: True)
    conf = tasks.drain_outbox.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    try:
        tasks.outbox_drain_enqueue()
    finally:
        conf.task_always_eager = eager
    assert attempts == [()]
