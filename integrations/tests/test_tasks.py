"""The sync and sweep tasks, with Celery as in production (not eager): retries with backoff,
enqueued after the commit, never a GitLab call inside a TAM's request."""

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from accounts.models import Color
from healthscore import broker
from healthscore.celery import app as celery_app
from integrations import tasks
from integrations.models import GitlabIssue, SyncState
from triage import services as triage_services
from triage.models import TriageRecord
from triage.tests.factories import TriageRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Celery as in production, the broker answering: the record ids each delay() was given."""
    sent = []
    celery_app.conf.task_always_eager = False  # the autouse _celery_eager fixture restores it
    monkeypatch.setattr(broker, "broker_answers", lambda url: True)
    monkeypatch.setattr(tasks.gitlab_sync, "delay", lambda record_id: sent.append(record_id))
    return sent


def test_a_tams_save_enqueues_the_sync_after_commit_and_never_calls_gitlab(
    gitlab, queued, client, tam, account_in, django_capture_on_commit_callbacks
):
    gitlab.fault = "slow"
    account = account_in(Color.YELLOW)
    client.force_login(tam)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/triage/accounts/{account.external_id}/open/")
    record = TriageRecord.objects.get(account=account)
    assert response.status_code == 302 and queued == [] and gitlab.calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [record.pk] and gitlab.calls == []  # after it: enqueued, GitLab left to the worker
    assert GitlabIssue.objects.get(triage_record_id=record.pk).status_text == "GitLab sync pending"


def test_with_the_broker_down_the_save_goes_through_and_the_sweep_sends_later(
    gitlab, queued, monkeypatch, tam, account_in, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(broker, "broker_answers", lambda url: False)
    account = account_in(Color.YELLOW)
    with django_capture_on_commit_callbacks(execute=True):
        record = triage_services.triage_open(account=account, by=tam)
    assert queued == [] and GitlabIssue.objects.get(triage_record_id=record.pk).state == SyncState.PENDING

    monkeypatch.setattr(broker, "broker_answers", lambda url: True)
    assert tasks.gitlab_sweep.run() == "GitLab: 1 issue syncs enqueued."
    assert queued == [record.pk]


def test_a_passing_failure_is_retried_by_celery_after_the_backoff(gitlab, queued, monkeypatch, tam, account_in):
    gitlab.fault = "500"
    record = triage_services.triage_open(account=account_in(Color.YELLOW), by=tam)
    retried = []

    def retry(**options):
        retried.append(options)
        return Retry()

    monkeypatch.setattr(tasks.gitlab_sync, "retry", retry)
    with pytest.raises(Retry):
        tasks.gitlab_sync.run(record.pk)
    assert retried == [{"countdown": 30, "max_retries": None}]

    GitlabIssue.objects.update(state=SyncState.PENDING)
    with pytest.raises(Retry):
        tasks.gitlab_sync.run(record.pk)
    assert retried[-1]["countdown"] == 60  # doubles


def test_a_refused_token_is_not_retried(gitlab, queued, monkeypatch, tam, account_in):
    gitlab.fault = "401"
    record = triage_services.triage_open(account=account_in(Color.YELLOW), by=tam)
    monkeypatch.setattr(tasks.gitlab_sync, "retry", lambda **options: pytest.fail("retried a 401"))
    assert tasks.gitlab_sync.run(record.pk).startswith("GitLab sync failed: GitLab refused the token")


def test_the_sweep_mirrors_open_records_from_before_gitlab_and_enqueues_only_due_free_rows(gitlab, queued):
    before = TriageRecordFactory()  # opened before GitLab was configured
    TriageRecordFactory(status="closed", classification="E&A", resolution="Done", closed_on=dt.date(2026, 11, 21))
    now = timezone.now()
    later = TriageRecordFactory()
    GitlabIssue.objects.create(
        triage_record_id=later.pk, account=later.account, next_attempt_at=now + dt.timedelta(minutes=5)
    )
    held = TriageRecordFactory()
    GitlabIssue.objects.create(
        triage_record_id=held.pk, account=held.account, next_attempt_at=now, lease_until=now + dt.timedelta(minutes=1)
    )
    assert tasks.gitlab_sweep.run() == "GitLab: 1 issue syncs enqueued."
    assert queued == [before.pk]
    assert GitlabIssue.objects.count() == 3  # the closed record stays in Healthscore


def test_the_sweep_does_nothing_without_the_settings(settings, queued):
    settings.GITLAB_URL = ""
    TriageRecordFactory()
    assert tasks.gitlab_sweep.run() == "GitLab is not configured: nothing to sync."
    assert queued == [] and GitlabIssue.objects.count() == 0


def test_the_sweep_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["gitlab-sync-sweep-every-10-minutes"]
    assert entry["task"] == tasks.gitlab_sweep.name
    assert tasks.gitlab_sweep.name in celery_app.tasks
