"""The beat scheduler: django-celery-beat's, with settings.CELERY_BEAT_SCHEDULE as defaults.

django-celery-beat copies every CELERY_BEAT_SCHEDULE entry into the database at each beat start,
overwriting what an admin changed there. This scheduler creates the missing entries and leaves
existing ones alone, so schedules are edited in Django admin (Periodic tasks) and stay edited.
Delete an entry in admin to get the default back at the next beat start.

Since existing entries are left alone, a task that moved to another module would keep its old
name there and fail on every tick: at each start, entries naming a task in RENAMED_TASKS are
pointed at its new name (keeping the admin's schedule, arguments and enabled flag).
"""

from django_celery_beat.models import PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler

# Old task name -> new one, for entries saved before a task moved.
RENAMED_TASKS = {
    # Issue #8: the daily pipeline moved to healthscore.pipeline, the outbox to accounts.events.
    "triage.tasks.run_daily_jobs": "healthscore.tasks.run_daily_jobs",
    "triage.tasks.drain_outbox": "accounts.tasks.drain_outbox",
}


def renamed_tasks_update() -> int:
    """Point saved entries at their task's current name; returns how many changed."""
    changed = 0
    for old, new in RENAMED_TASKS.items():
        changed += PeriodicTask.objects.filter(task=old).update(task=new)
    if changed:
        PeriodicTasks.update_changed()  # update() skips the save signal that tells beat to reload
    return changed


class DefaultsOnlyDatabaseScheduler(DatabaseScheduler):
    def setup_schedule(self):
        renamed_tasks_update()
        super().setup_schedule()

    def update_from_dict(self, mapping):
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in existing})
