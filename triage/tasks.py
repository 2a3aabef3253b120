"""Celery tasks of the triage app: thin wrappers that take ISO dates and call one job.

Every task is idempotent (see triage/jobs/), so a retry, a redelivery after a killed worker
(acks_late) or a second beat firing creates nothing twice.
"""

from celery import shared_task

from healthscore import clock
from triage.jobs import ctas, triage_run


def _date(as_of: str | None):
    return clock.as_of_or_today(as_of)


@shared_task(name="triage.tasks.run_triage", soft_time_limit=20 * 60, time_limit=25 * 60)
def run_triage(as_of: str | None = None) -> str:
    return str(triage_run.triage_run(as_of=_date(as_of)))


@shared_task(name="triage.tasks.open_health_ctas", soft_time_limit=20 * 60, time_limit=25 * 60)
def open_health_ctas(as_of: str | None = None) -> str:
    return str(ctas.ctas_health_open(as_of=_date(as_of)))


@shared_task(name="triage.tasks.open_cadence_ctas", soft_time_limit=20 * 60, time_limit=25 * 60)
def open_cadence_ctas(as_of: str | None = None) -> str:
    return str(ctas.ctas_cadence_open(as_of=_date(as_of)))
