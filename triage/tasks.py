"""Celery tasks of the triage app: thin wrappers that take ISO dates and call one job service.

Every task is idempotent (see triage/jobs.py), so a retry, a redelivery after a killed worker
(acks_late) or a second beat firing creates nothing twice and sends nothing twice.
"""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from healthscore import clock
from triage import jobs

logger = logging.getLogger(__name__)


def _date(as_of: str | None):
    return clock.as_of_or_today(as_of)


@shared_task(name="triage.tasks.run_daily_jobs", soft_time_limit=50 * 60, time_limit=55 * 60)
def run_daily_jobs(as_of: str | None = None) -> list[str]:
    """Recompute scores, triage, notifications, out-of-date health CTAs, cadence CTAs."""
    return jobs.daily_run(as_of=_date(as_of))


@shared_task(name="triage.tasks.run_triage", soft_time_limit=20 * 60, time_limit=25 * 60)
def run_triage(as_of: str | None = None) -> str:
    return str(jobs.triage_run(as_of=_date(as_of)))


@shared_task(name="triage.tasks.open_health_ctas", soft_time_limit=20 * 60, time_limit=25 * 60)
def open_health_ctas(as_of: str | None = None) -> str:
    return str(jobs.ctas_health_open(as_of=_date(as_of)))


@shared_task(name="triage.tasks.open_cadence_ctas", soft_time_limit=20 * 60, time_limit=25 * 60)
def open_cadence_ctas(as_of: str | None = None) -> str:
    return str(jobs.ctas_cadence_open(as_of=_date(as_of)))


@shared_task(name="triage.tasks.drain_outbox", soft_time_limit=4 * 60, time_limit=5 * 60)
def drain_outbox(as_of: str | None = None) -> str:
    """Deliver pending health changes: notifications (in-app and email) and triage updates."""
    return str(jobs.outbox_drain(today=_date(as_of)))


def outbox_drain_enqueue() -> None:
    """Run after a commit that changed a color: deliver it now through the worker.

    When the broker is down this fails within seconds (see the CELERY_BROKER_* timeouts) and
    the change waits in the outbox table; the every-minute drain delivers it once Redis is back.
    """
    try:
        drain_outbox.delay()
    except OperationalError as exc:
        logger.warning("Broker unreachable, health changes wait in the outbox for the periodic drain: %s", exc)
