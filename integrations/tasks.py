"""Celery tasks of the integrations app: thin wrappers that take record ids and call one service."""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from healthscore import broker
from integrations import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, name="integrations.tasks.gitlab_sync", acks_late=True, soft_time_limit=3 * 60, time_limit=4 * 60
)
def gitlab_sync(self, record_id: int) -> str:
    """Sync one triage record's GitLab issue; on a passing failure (GitLab down, slow, 5xx) try
    again later with backoff. The attempts are counted in the database (the service gives up
    after MAX_ATTEMPTS), so a retry lost with a worker is picked up by the sweep."""
    outcome = services.gitlab_issue_sync(record_id=record_id)
    # Eagerly (embedded mode, tests) a retry would run at once, in the caller: the sweep retries.
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return str(outcome)


@shared_task(name="integrations.tasks.gitlab_sweep", soft_time_limit=4 * 60, time_limit=5 * 60)
def gitlab_sweep() -> str:
    """Enqueue every pending sync that is due (beat, every 10 minutes)."""
    return services.gitlab_sweep()


def gitlab_sync_enqueue(record_ids: list[int]) -> None:
    """After the commit that marked the records: one sync task each. Best effort: the rows are
    already pending, and the sweep enqueues them if the broker does not answer now (a quick
    PING first, as for the outbox, so a save never waits on a dead Redis)."""
    conf = gitlab_sync.app.conf
    if not conf.task_always_eager and not broker.broker_answers(conf.broker_url):
        return
    try:
        for record_id in record_ids:
            gitlab_sync.delay(record_id)
    except OperationalError as exc:
        logger.warning("Broker unreachable, GitLab syncs wait for the sweep: %s", exc)
