"""The daily pipeline's Celery task (settings.CELERY_IMPORTS loads it: healthscore is not an app)."""

from celery import shared_task

from healthscore import clock, pipeline


@shared_task(name="healthscore.tasks.run_daily_jobs", soft_time_limit=50 * 60, time_limit=55 * 60)
def run_daily_jobs(as_of: str | None = None) -> list[str]:
    """Recompute scores, triage, notifications, out-of-date health CTAs, cadence CTAs."""
    return pipeline.daily_run(as_of=clock.as_of_or_today(as_of))
