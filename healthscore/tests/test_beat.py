"""The beat scheduler installs CELERY_BEAT_SCHEDULE as defaults and keeps admins' edits."""

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from kombu.utils.imports import symbol_by_name

from healthscore.beat import RENAMED_TASKS, DefaultsOnlyDatabaseScheduler
from healthscore.celery import app as celery_app

# The scheduler closes "old" connections on every read, as beat does between ticks: that needs
# real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def start_beat():
    """What beat does at start: install the settings' schedule into the database."""
    scheduler = DefaultsOnlyDatabaseScheduler(app=celery_app, lazy=True)
    # Its exit hook closes "old" database connections whenever it is garbage-collected, which
    # could be in the middle of a later test.
    scheduler._finalize.cancel()
    scheduler.setup_schedule()
    return scheduler


def test_celery_beat_starts_the_defaults_only_scheduler():
    """The setting reaches Celery (namespace CELERY_) and names a class beat can load."""
    assert symbol_by_name(celery_app.conf.beat_scheduler) is DefaultsOnlyDatabaseScheduler


def test_missing_entries_are_created_from_the_settings():
    start_beat()
    daily = PeriodicTask.objects.get(name="daily-jobs")
    assert (daily.task, daily.crontab.hour, daily.crontab.minute) == ("healthscore.tasks.run_daily_jobs", "5", "0")
    drain = PeriodicTask.objects.get(name="drain-outbox-every-minute")
    assert (drain.interval.every, drain.interval.period, drain.expire_seconds) == (60, "seconds", 50)


def test_an_admins_edit_survives_a_beat_restart():
    start_beat()
    later = CrontabSchedule.objects.create(hour="7", minute="30", timezone="UTC")
    PeriodicTask.objects.filter(name="daily-jobs").update(crontab=later)
    PeriodicTask.objects.filter(name="drain-outbox-every-minute").update(enabled=False)
    start_beat()
    daily = PeriodicTask.objects.get(name="daily-jobs")
    assert (daily.crontab.hour, daily.crontab.minute) == ("7", "30")
    assert not PeriodicTask.objects.get(name="drain-outbox-every-minute").enabled


def test_entries_saved_under_a_moved_task_follow_it_and_keep_the_admins_schedule():
    """Beat leaves existing entries alone, so one saved while the daily jobs and the drain were
    triage's tasks would fail on every tick: at start it is pointed at the task's new name."""
    later = CrontabSchedule.objects.create(hour="7", minute="30", timezone="UTC")
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="daily-jobs", task="triage.tasks.run_daily_jobs", crontab=later)
    PeriodicTask.objects.create(
        name="drain-outbox-every-minute", task="triage.tasks.drain_outbox", interval=every_minute, enabled=False
    )
    start_beat()
    daily = PeriodicTask.objects.get(name="daily-jobs")
    assert (daily.task, daily.crontab.hour, daily.crontab.minute) == ("healthscore.tasks.run_daily_jobs", "7", "30")
    drain = PeriodicTask.objects.get(name="drain-outbox-every-minute")
    assert (drain.task, drain.enabled) == ("accounts.tasks.drain_outbox", False)
    celery_app.loader.import_default_modules()  # what a worker imports at start
    assert set(RENAMED_TASKS.values()) <= set(celery_app.tasks)  # every new name is a worker's task
