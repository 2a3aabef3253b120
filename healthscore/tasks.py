"""The daily pipeline's Celery task (settings.CELERY_IMPORTS loads it: healthscore is not an app)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from healthscore import clock, pipeline


@shared_task(name="healthscore.tasks.run_daily_jobs", soft_time_limit=50 * 60, time_limit=55 * 60)
def run_daily_jobs(as_of: str | None = None) -> list[str]:
    """Recompute scores, triage, notifications, out-of-date health CTAs, cadence CTAs, once per
    day: the steps already done for the day are not run again (the commands always run them)."""
    return pipeline.daily_run_resume(as_of=clock.as_of_or_today(as_of))


@shared_task(name="healthscore.tasks.resume_daily_jobs", soft_time_limit=50 * 60, time_limit=55 * 60)
def resume_daily_jobs() -> list[str]:
    """Every 15 minutes: once today's run is due, finish it if it is not done (a killed worker's
    run, a failed step); nothing when the day is done or a live runner holds it."""
    day = pipeline.daily_run_due(now=timezone.now(), hour=settings.DAILY_JOBS_HOUR_UTC)
    if day is None or day != clock.today():
        return []
    return pipeline.daily_run_resume(as_of=day)
