"""Celery task of the notifications app: a thin, idempotent wrapper that takes an ISO date."""

from celery import shared_task

from healthscore import clock
from notifications import services


@shared_task(name="notifications.tasks.send_notifications", soft_time_limit=20 * 60, time_limit=25 * 60)
def send_notifications(as_of: str | None = None) -> str:
    """Deliver pending health changes, then send every pending notification email."""
    return str(services.notifications_deliver(today=clock.as_of_or_today(as_of)))
