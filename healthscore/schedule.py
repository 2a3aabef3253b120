"""Every periodic job, in one place (settings.CELERY_BEAT_SCHEDULE): django-celery-beat copies
these into the database at beat start, where admins can change or pause them
(healthscore/beat.py). Imported by healthscore.settings."""

from celery.schedules import crontab

# The hour (UTC) the daily jobs run at; the 15-minute resume starts looking then.
DAILY_JOBS_HOUR_UTC = 5
CELERY_BEAT_SCHEDULE = {
    # Every day at 05:00 UTC, one task runs the daily jobs in order: score every account as of
    # today, triage (red -> triage record, yellow -> "Decide on triage" CTA, green again ->
    # "Close triage?" CTA), notifications, out-of-date health CTAs, missed cadence call CTAs.
    # (accounts.tasks.recompute_scores is its first step; it has no schedule of its own.)
    "daily-jobs": {
        "task": "healthscore.tasks.run_daily_jobs",
        "schedule": crontab(hour=DAILY_JOBS_HOUR_UTC, minute=0),
    },
    # Every 15 minutes: if today's daily jobs are due (05:00 UTC passed) and not done, finish
    # them (a worker killed mid-run, a step that failed); when the day is done it does nothing.
    # Without it a killed run came back only after Redis's 1-hour visibility timeout.
    "daily-jobs-resume-every-15-minutes": {
        "task": "healthscore.tasks.resume_daily_jobs",
        "schedule": crontab(minute="*/15"),
        "options": {"expire_seconds": 14 * 60},
    },
    # Every minute: deliver health changes waiting in the outbox (accounts.events: notifications
    # and triage updates, then the emails). Normally a commit enqueues this at once; this
    # catches what a Redis outage held back. A run not started within 50 seconds is dropped:
    # the next one does the same work.
    "drain-outbox-every-minute": {
        "task": "accounts.tasks.drain_outbox",
        "schedule": 60.0,
        "options": {"expire_seconds": 50},
    },
    # Every 10 minutes: sync the GitLab issues of triage records still pending (a retry lost to a
    # worker restart or a Redis outage, a record opened before GitLab was configured). Nothing
    # happens without the GITLAB_* settings. A run not started within 9 minutes is dropped.
    "gitlab-sync-sweep-every-10-minutes": {
        "task": "integrations.tasks.gitlab_sweep",
        "schedule": crontab(minute="*/10"),
        "options": {"expire_seconds": 9 * 60},
    },
}
