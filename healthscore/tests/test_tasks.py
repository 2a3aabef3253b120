"""Celery tasks of the daily pipeline and its steps: thin, taking ISO dates, with time limits."""

import pytest
from django.conf import settings

from accounts import tasks as account_tasks
from accounts.models import Color
from healthscore import tasks as pipeline_tasks
from healthscore.celery import app as celery_app
from triage import tasks as triage_tasks
from triage.models import TriageRecord


@pytest.mark.django_db
def test_the_daily_task_runs_every_job_for_an_iso_date(account_in, fixed_today):
    account = account_in(Color.RED)
    summaries = pipeline_tasks.run_daily_jobs.delay("2026-11-24").get()
    assert len(summaries) == 7 and summaries[0].startswith("Scores: ")  # one per daily step
    assert TriageRecord.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_each_job_has_its_own_task(account_in, fixed_today):
    account_in(Color.YELLOW)
    assert triage_tasks.run_triage.delay("2026-11-24").get().startswith("Triage: 1 accounts checked")
    assert triage_tasks.open_health_ctas.delay("2026-11-24").get().startswith("Out-of-date health:")
    assert triage_tasks.open_cadence_ctas.delay("2026-11-24").get().startswith("Cadence:")
    assert account_tasks.drain_outbox.delay().get().startswith("Notifications:")


@pytest.mark.django_db
def test_a_task_refuses_a_bad_date():
    with pytest.raises(ValueError, match="not a date in YYYY-MM-DD form"):
        triage_tasks.run_triage.delay("24/11/2026")


def test_every_beat_entry_names_a_registered_task_with_time_limits():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"daily-jobs", "drain-outbox-every-minute"} <= set(schedule)
    for entry in schedule.values():
        task = celery_app.tasks[entry["task"]]
        assert task.name == entry["task"]
    for name in ("healthscore.tasks.run_daily_jobs", "accounts.tasks.drain_outbox"):
        task = celery_app.tasks[name]
        assert task.time_limit and task.soft_time_limit < task.time_limit
