"""The beat scheduler: django-celery-beat's, with settings.CELERY_BEAT_SCHEDULE as defaults.

django-celery-beat copies every CELERY_BEAT_SCHEDULE entry into the database at each beat start,
overwriting what an admin changed there. This scheduler creates the missing entries and leaves
existing ones alone, so schedules are edited in Django admin (Periodic tasks) and stay edited.
Delete an entry in admin to get the default back at the next beat start.
"""

from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


class DefaultsOnlyDatabaseScheduler(DatabaseScheduler):
    def update_from_dict(self, mapping):
        existing = set(PeriodicTask.objects.filter(name__in=list(mapping)).values_list("name", flat=True))
        super().update_from_dict({name: entry for name, entry in mapping.items() if name not in existing})
