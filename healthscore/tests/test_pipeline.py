"""The daily pipeline: every app's step in order, each idempotent, a killed or doubled run
ending where a clean run ends, and one failing step not costing the others their day."""

import datetime as dt
import importlib
import re
import threading

import pytest
from django.core import mail
from django.db.models import F

from accounts.models import Account, Color, HealthChange, Region
from accounts.tests.factories import AccountFactory, SentimentFactory, healthy_account
from healthscore import pipeline
from notifications import services as notification_services
from notifications.models import EmailStatus, Notification
from notifications.services import EMAIL_CLAIM_SECONDS
from triage import jobs
from triage.jobs import ctas, triage_run
from triage.models import Cta, CtaKind, Risk, TriageRecord

pytestmark = pytest.mark.django_db


def test_daily_run_does_every_step_in_order(tam, people, fixed_today):
    new = AccountFactory(tam=tam, region=Region.EMEA, sal=people.sal)
    stale = AccountFactory(tam=tam, health_color=Color.RED, health_date=fixed_today - dt.timedelta(days=40))
    green = healthy_account(today=fixed_today - dt.timedelta(days=1), tam=tam, region=Region.EMEA, sal=people.sal)
    SentimentFactory(account=green, color=Color.RED, date=fixed_today, author=tam)  # scored red tonight
    summaries = pipeline.daily_run(as_of=fixed_today)
    assert [line.split(":")[0] for line in summaries] == [
        "Scores",
        "Triage",
        "Notifications",
        "Digests",
        "Out-of-date health",
        "Cadence",
        "Override CTAs",
    ]
    assert TriageRecord.objects.filter(account=green, risk=Risk.RED).exists()
    assert Notification.objects.filter(account=green).count() == 6  # sal, rtm, director, asm, rd, vp
    assert Cta.objects.filter(account=new, kind=CtaKind.MISSED_CADENCE).exists()
    assert Cta.objects.filter(account=stale, kind=CtaKind.UPDATE_HEALTH).exists()


def test_running_every_job_twice_creates_and_sends_nothing_twice(tam, people, fixed_today):
    world_build(tam, people, fixed_today)
    pipeline.daily_run(as_of=fixed_today)
    first, sent = world_state(), len(mail.outbox)
    pipeline.daily_run(as_of=fixed_today)
    notification_services.notifications_deliver(today=fixed_today)
    triage_run.triage_run(as_of=fixed_today)
    ctas.ctas_health_open(as_of=fixed_today)
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert world_state() == first and len(mail.outbox) == sent
    assert first["notifications"] and first["triage"] and first["ctas"]


def test_a_second_run_starting_half_way_through_the_first_changes_nothing(tam, people, fixed_today, monkeypatch):
    world_build(tam, people, fixed_today)
    original = ctas.ctas_health_open
    interleaved = []

    def health_ctas_with_a_second_run_in_between(**kwargs):
        if not interleaved:
            interleaved.append(True)
            pipeline.daily_run(as_of=fixed_today)  # the other run starts and completes here
        return original(**kwargs)

    monkeypatch.setattr(ctas, "ctas_health_open", health_ctas_with_a_second_run_in_between)
    monkeypatch.setattr(pipeline, "DAILY_STEPS", _steps_with(health_ctas_with_a_second_run_in_between))
    pipeline.daily_run(as_of=fixed_today)
    state, sent = world_state(), sorted(m.to[0] for m in mail.outbox)
    monkeypatch.setattr(ctas, "ctas_health_open", original)
    monkeypatch.setattr(pipeline, "DAILY_STEPS", _steps_with(original))
    clean_state, clean_sent = clean_run(tam, people, fixed_today)
    assert state == clean_state and sent == clean_sent


def _steps_with(health_step):
    return tuple(
        pipeline.Step(step.name, health_step, step.total) if step.name == "Health CTAs" else step
        for step in pipeline.DAILY_STEPS
    )


@pytest.mark.parametrize(
    "target,nth",
    [
        ("triage.jobs.triage_run._triage_ctas", 2),  # triage, between two accounts
        ("notifications.selectors.notification_recipients", 2),  # the outbox, between two changes
        ("notifications.emails.notification_email", 3),  # emails, after two were sent
        ("triage.jobs.ctas._cadence_detail", 1),  # the last step
    ],
)
def test_a_run_killed_half_way_is_completed_by_the_next_run(tam, people, fixed_today, monkeypatch, target, nth):
    world_build(tam, people, fixed_today)
    monkeypatch.setattr(jobs, "CHUNK", 1)  # commit account by account, like a long run
    module, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module), name)
    calls = []

    def dies_on_the_nth_call(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            raise SystemExit("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, dies_on_the_nth_call)
    with pytest.raises(SystemExit):
        pipeline.daily_run(as_of=fixed_today)
    monkeypatch.setattr(target, original)
    # The next run comes after a killed sender's email claim has expired (notifications.services).
    Notification.objects.filter(email_status=EmailStatus.SENDING).update(
        emailed_at=F("emailed_at") - dt.timedelta(seconds=EMAIL_CLAIM_SECONDS + 1)
    )
    pipeline.daily_run(as_of=fixed_today)
    state, sent = world_state(), sorted((m.to[0], m.subject) for m in mail.outbox)
    clean_state, clean_sent = clean_run(tam, people, fixed_today, sent_key=lambda m: (m.to[0], m.subject))
    for key in state:
        assert state[key] == clean_state[key], key
    assert sent == clean_sent


# --- A small world for the idempotency tests ----------------------------------------------


def world_build(tam, people, today):
    """Accounts that go red, yellow, green-with-triage, stale and missing cadence tonight."""
    yesterday = today - dt.timedelta(days=1)
    made = {}
    for name, before, after in [
        ("to-red", Color.GREEN, Color.RED),
        ("to-yellow", Color.GREEN, Color.YELLOW),
        ("yellow-to-red", Color.YELLOW, Color.RED),
        ("to-green", Color.RED, Color.GREEN),
        ("stays-green", Color.GREEN, Color.GREEN),
    ]:
        account = healthy_account(
            today=yesterday,
            sentiment=before,
            tam=tam,
            external_id=f"W-{name}",
            name=f"World {name}",
            region=Region.EMEA,
            sal=people.sal,
            solutions_architect=people.sa,
        )
        SentimentFactory(account=account, color=after, date=today, author=tam)
        made[name] = account
    notification_services.notifications_deliver(today=yesterday)
    triage_run.triage_run(as_of=yesterday)  # to-green and yellow-to-red have an open record or CTA
    # A new account with no data: scored red tonight for the first time (no one is told).
    AccountFactory(tam=tam, external_id="W-new", name="World new", health_date=None)
    Account.objects.filter(external_id="W-stays-green").update(health_date=today - dt.timedelta(days=50))
    mail.outbox.clear()
    return made


def world_state() -> dict:
    """Everything the jobs write, without ids or timestamps."""
    return {
        "triage": sorted(
            TriageRecord.objects.values_list("account__external_id", "status", "origin", "risk", "region", "opened_on")
        ),
        "ctas": sorted(
            (account, kind, re.sub(r"^\d+:", "<triage>:", key), state, resolution, opened_on)
            for account, kind, key, state, resolution, opened_on in Cta.objects.values_list(
                "account__external_id", "kind", "key", "state", "resolution", "opened_on"
            )
        ),
        "notifications": sorted(
            Notification.objects.values_list(
                "account__external_id", "recipient__username", "new_color", "roles", "email_status"
            )
        ),
        "changes": sorted(
            HealthChange.objects.filter(processed_at__isnull=False).values_list(
                "account__external_id", "old_color", "new_color", "as_of"
            )
        ),
        "pending_changes": HealthChange.objects.filter(processed_at__isnull=True).count(),
        "accounts": sorted(Account.objects.values_list("external_id", "health_color", "health_date")),
        "log": sorted(
            TriageRecord.objects.filter(updates__isnull=False).values_list("account__external_id", "updates__text")
        ),
    }


def clean_run(tam, people, today, sent_key=lambda m: m.to[0]):
    """The same world from scratch, run once without interruption."""
    Account.objects.all().delete()
    mail.outbox.clear()
    world_build(tam, people, today)
    pipeline.daily_run(as_of=today)
    return world_state(), sorted(sent_key(m) for m in mail.outbox)


def test_world_state_sees_everything(tam, people, fixed_today):
    """The idempotency tests compare world_state(): make sure it is not trivially empty."""
    world_build(tam, people, fixed_today)
    pipeline.daily_run(as_of=fixed_today)
    state = world_state()
    kinds = {kind for _, kind, *_ in state["ctas"]}
    assert kinds == {CtaKind.DECIDE_TRIAGE, CtaKind.CLOSE_TRIAGE, CtaKind.UPDATE_HEALTH, CtaKind.MISSED_CADENCE}
    assert {account for account, *_ in state["triage"]} == {"W-to-red", "W-yellow-to-red", "W-to-green", "W-new"}
    assert len(state["notifications"]) == 4 + 7 + 7  # yellow: sal sa rtm director; red: + asm rd vp
    assert state["pending_changes"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_and_send_nothing_twice(tam, people, fixed_today):
    """Two workers run every job at the same moment, each on its own database connection."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent run needs PostgreSQL")
    world_build(tam, people, fixed_today)
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait(timeout=10)
            pipeline.daily_run(as_of=fixed_today)
        except BaseException as exc:  # reported below: a thread's exception would be lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    state, sent = world_state(), sorted((m.to[0], m.subject) for m in mail.outbox)
    clean_state, clean_sent = clean_run(tam, people, fixed_today, sent_key=lambda m: (m.to[0], m.subject))
    for key in state:
        assert state[key] == clean_state[key], key
    assert sent == clean_sent and len(sent) == 18


# --- One failure does not stop the rest -----------------------------------------------------


def test_a_failing_step_does_not_cost_the_other_steps_their_day(tam, fixed_today, monkeypatch):
    AccountFactory(tam=tam)  # never had a cadence call: the last step owes it a CTA

    def mail_server_on_fire(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(notification_services, "notifications_deliver", mail_server_on_fire)
    with pytest.raises(pipeline.DailyRunError, match="Notifications failed"):
        pipeline.daily_run(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.MISSED_CADENCE).count() == 1  # the steps after it ran


def test_the_apps_register_the_daily_steps_in_order():
    assert [(step.name, step.order) for step in pipeline.DAILY_STEPS] == [
        ("Scoring", 10),
        ("Triage", 20),
        ("Notifications", 30),
        ("Notification digests", 35),
        ("Health CTAs", 40),
        ("Cadence CTAs", 50),
        ("Override CTAs", 55),
    ]
