"""Celery tasks of the imports app: thin and idempotent (a run is imported at most once)."""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from imports import services

logger = logging.getLogger(__name__)


@shared_task(name="imports.tasks.import_run", soft_time_limit=25 * 60, time_limit=30 * 60)
def import_run(run_id: int) -> None:
    services.import_run_execute(run_id=run_id)


def import_run_enqueue(run_id: int) -> None:
    """After the upload's commit. With the broker down (fails within seconds, see settings) the
    run is refused with the reason, so the admin is not left watching a bar that never moves."""
    try:
        import_run.delay(run_id)
    except OperationalError as exc:
        logger.warning("Broker unreachable, import run %s not started: %s", run_id, exc)
        services.import_run_refuse(run_id=run_id, reason="The task queue is unreachable; upload the file again later.")
