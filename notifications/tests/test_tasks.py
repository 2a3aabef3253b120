"""Delivery through the drain task: enqueued only after commit, and a dead broker never costs a
TAM's update (the change waits in the outbox and is delivered, once, when Redis is back)."""

import socket
import threading

import pytest
from django.core import mail
from django.db import transaction

from accounts import services as account_services
from accounts import tasks
from accounts.models import Account, Color, HealthChange, Region, SentimentEntry
from accounts.tests.factories import healthy_account
from healthscore import broker
from healthscore import tasks as pipeline_tasks
from healthscore.celery import app as celery_app
from notifications import services
from notifications.models import Notification
from triage.models import TriageRecord

# Nothing listens on port 1 on this machine: the same refusal a stopped Redis gives.
DEAD_BROKER = "redis://127.0.0.1:1/0"


def _reset_broker_pools():
    """Celery keeps its broker connection pools; drop them so a new broker_url takes effect."""
    celery_app._pool = None
    broker.broker_state_reset()
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Redis is stopped: tasks go to a broker that refuses connections. Call the returned
    function to bring it "back" (eager mode: tasks run in-process, as with a healthy worker)."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, DEAD_BROKER
    _reset_broker_pools()

    def back():
        conf.task_always_eager, conf.broker_url = True, saved[1]
        _reset_broker_pools()

    yield back
    conf.task_always_eager, conf.broker_url = saved
    _reset_broker_pools()


@pytest.fixture
def enqueued(monkeypatch):
    """Record drain_outbox.delay() calls instead of sending them."""
    calls = []
    monkeypatch.setattr(tasks.drain_outbox, "delay", lambda *args, **kwargs: calls.append(args))
    return calls


def red(account):
    account_services.sentiment_update(account=account, color=Color.RED, reason="Budget cut", by=account.tam)


# --- Enqueued only after commit -----------------------------------------------------------


@pytest.mark.django_db
def test_delivery_is_enqueued_only_after_the_change_commits(account_in, enqueued, django_capture_on_commit_callbacks):
    account = account_in(Color.GREEN)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        red(account)
        assert enqueued == []  # still inside the transaction
    assert len(callbacks) == 1 and len(enqueued) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_enqueues_and_sends_nothing(
    account_in, people, enqueued, django_capture_on_commit_callbacks
):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            red(account)
            raise RuntimeError("the request failed after the update")
    assert callbacks == [] and enqueued == []
    assert not HealthChange.objects.filter(new_color=Color.RED).exists()
    services.notifications_deliver()
    assert Notification.objects.count() == 0 and mail.outbox == []
    assert Account.objects.get(pk=account.pk).health_color == Color.GREEN


@pytest.mark.django_db
def test_in_eager_mode_the_commit_delivers_at_once(account_in, people, django_capture_on_commit_callbacks):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    with django_capture_on_commit_callbacks(execute=True):
        red(account)
    assert Notification.objects.filter(account=account).count() == 6  # sal, rtm, director, asm, rd, vp
    assert len(mail.outbox) == 6


# --- Redis down ---------------------------------------------------------------------------


# Real commits, so the on_commit enqueue runs.
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_a_sentiment_update_saves_and_is_delivered_once_redis_is_back(
    client, tam, people, broker_down, caplog, fixed_today
):
    account = healthy_account(today=fixed_today, tam=tam, region=Region.EMEA, sal=people.sal)
    client.force_login(tam)

    response = client.post(
        f"/accounts/{account.external_id}/sentiment/", {"color": "red", "reason": "Budget cut", "origin": "account"}
    )

    assert response.status_code == 302  # no 500: the update is saved and committed
    assert SentimentEntry.objects.filter(account=account, color=Color.RED).exists()
    assert Account.objects.get(pk=account.pk).health_color == Color.RED
    assert HealthChange.objects.filter(account=account, new_color=Color.RED, processed_at__isnull=True).exists()
    assert Notification.objects.count() == 0 and mail.outbox == []
    assert "Broker unreachable, health changes wait in the outbox" in caplog.text

    broker_down()  # Redis is back; beat's every-minute entry runs the drain
    tasks.drain_outbox.delay()
    tasks.drain_outbox.delay()  # and again a minute later
    assert Notification.objects.filter(account=account).count() == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@example.com" for name in ("sal", "rtm", "director", "asm", "rd", "vp")
    )


@pytest.fixture
def silent_broker():
    """A "Redis" that accepts connections and never answers (RECIPES: with default settings
    delay() waits forever on one). The kernel completes the handshakes from the listen backlog."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager, conf.broker_url = False, f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    _reset_broker_pools()
    yield
    conf.task_always_eager, conf.broker_url = saved
    _reset_broker_pools()
    server.close()


def test_a_broker_that_never_answers_fails_the_enqueue_instead_of_hanging(silent_broker, caplog):
    # A bound, not a benchmark: the socket timeouts make this give up in a few seconds; without
    # them it would never return, and the join below turns that into a failure, not a stuck CI.
    worker = threading.Thread(target=tasks.outbox_drain_enqueue, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "delay() hung on a broker that never answers"
    assert "Broker unreachable" in caplog.text


def test_a_dead_broker_fails_the_enqueue_instead_of_hanging(broker_down, caplog):
    tasks.outbox_drain_enqueue()  # returns: the connection is refused at once, not waited on
    assert "Broker unreachable" in caplog.text
    assert celery_app.conf.broker_transport_options["socket_connect_timeout"] <= 5


@pytest.mark.django_db
def test_redelivered_tasks_are_harmless(account_in, people, fixed_today):
    """acks_late: a task whose worker died is delivered again; running it twice is a no-op."""
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    red(account)
    for _ in range(2):
        pipeline_tasks.run_daily_jobs.delay(fixed_today.isoformat())
        tasks.drain_outbox.delay()
    assert Notification.objects.count() == 6 and len(mail.outbox) == 6
    assert TriageRecord.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_the_send_task_delivers_the_outbox_and_its_emails(account_in, people, fixed_today):
    from notifications import tasks as notification_tasks

    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    red(account)
    summary = notification_tasks.send_notifications.delay(fixed_today.isoformat()).get()
    assert summary.startswith("Notifications: 1 health changes processed, 6 notifications created, 6 emails sent")
    assert notification_tasks.send_notifications.delay().get().startswith("Notifications: 0 health changes")
