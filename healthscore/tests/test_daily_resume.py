"""A killed daily run resumes within minutes: beat sends an idempotent resume every 15 minutes
that finishes the day's steps not done yet, and does nothing when the day is done."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Color
from healthscore import pipeline, tasks
from healthscore.models import DailyRun
from healthscore.pipeline import Step
from triage.models import TriageRecord

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def at(monkeypatch, fixed_today):
    """at(hour, minute): the wall clock (django.utils.timezone.now) on the fixed day."""

    def set_clock(hour, minute=0):
        moment = dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=dt.UTC)
        monkeypatch.setattr(tasks.timezone, "now", lambda: moment)

    return set_clock


@pytest.fixture
def steps(monkeypatch):
    """Three recording steps in place of the real ones; `fail` names the steps that raise."""
    ran, fail = [], set()

    def make(name):
        def run(*, as_of, progress):
            ran.append(name)
            if name in fail:
                raise RuntimeError(f"{name} broke")
            return f"{name}: done"

        return Step(name, run, lambda as_of: 0, order=len(ran))

    monkeypatch.setattr(pipeline, "DAILY_STEPS", [make("Scoring"), make("Triage"), make("CTAs")])
    return ran, fail


def test_a_run_killed_after_its_first_step_is_finished_by_the_next_resume(at, steps):
    ran, _ = steps
    # A worker was killed during Triage: Scoring is done, and its hold on the day has expired.
    at(5, 15)
    DailyRun.objects.create(day=DAY, steps_done=["Scoring"], claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.resume_daily_jobs.delay().get() == ["Triage: done", "CTAs: done"]
    assert ran == ["Triage", "CTAs"]
    run = DailyRun.objects.get(day=DAY)
    assert run.finished_at is not None and run.claimed_until is None
    assert run.steps_done == ["Scoring", "Triage", "CTAs"]


def test_a_live_runners_hold_is_respected_until_it_expires(at, steps):
    ran, _ = steps
    at(5, 15)
    DailyRun.objects.create(day=DAY, steps_done=["Scoring"], claimed_until=timezone.now() + dt.timedelta(minutes=3))
    assert tasks.resume_daily_jobs.delay().get() == []
    assert ran == []
    assert pipeline.DAILY_CLAIM_SECONDS <= 5 * 60  # a killed runner's hold lasts minutes, not an hour


def test_the_resume_does_nothing_when_the_day_is_done(at, steps):
    ran, _ = steps
    at(5, 0)
    assert len(tasks.run_daily_jobs.delay(DAY.isoformat()).get()) == 3
    for minute in (15, 30, 45):
        at(5, minute)
        assert tasks.resume_daily_jobs.delay().get() == []
    assert ran == ["Scoring", "Triage", "CTAs"]


def test_the_resume_waits_for_the_daily_hour(at, steps):
    ran, _ = steps
    at(settings.DAILY_JOBS_HOUR_UTC - 1, 45)
    assert tasks.resume_daily_jobs.delay().get() == []
    assert ran == [] and not DailyRun.objects.exists()


def test_a_failed_step_is_run_again_by_the_next_resume_and_only_it(at, steps):
    ran, fail = steps
    fail.add("Triage")
    at(5, 0)
    with pytest.raises(pipeline.DailyRunError):
        tasks.run_daily_jobs.delay(DAY.isoformat()).get()
    assert ran == ["Scoring", "Triage", "CTAs"]
    fail.clear()
    at(5, 15)
    assert tasks.resume_daily_jobs.delay().get() == ["Triage: done"]
    assert ran == ["Scoring", "Triage", "CTAs", "Triage"]
    assert DailyRun.objects.get(day=DAY).finished_at is not None


def test_with_the_real_steps_a_resumed_day_opens_the_triage_record(at, account_in):
    account = account_in(Color.RED)
    at(6, 0)
    DailyRun.objects.create(day=DAY, steps_done=["Scoring"], claimed_until=timezone.now() - dt.timedelta(seconds=1))
    summaries = tasks.resume_daily_jobs.delay().get()
    assert len(summaries) == len(pipeline.DAILY_STEPS) - 1
    assert TriageRecord.objects.filter(account=account).exists()


def test_beat_sends_the_resume_every_15_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["daily-jobs-resume-every-15-minutes"]
    assert entry["task"] == "healthscore.tasks.resume_daily_jobs"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert entry["schedule"].hour == set(range(24))
