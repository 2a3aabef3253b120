"""Celery tasks of the accounts app: thin wrappers that take ISO dates and call one service.

Every task is idempotent, so a retry, a redelivery after a killed worker (acks_late) or a
second beat firing creates nothing twice and sends nothing twice.
"""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from accounts import events
from accounts.scoring import fanout
from accounts.scoring import services as scoring
from healthscore import broker, clock

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.recompute_scores")
def recompute_scores(as_of: str | None = None) -> int:
    """Score every account and store the snapshots; safe to run twice (one snapshot per day)."""
    return scoring.scores_recompute(as_of=clock.as_of_or_today(as_of))


@shared_task(name="accounts.tasks.score_chunk", acks_late=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def score_chunk(chunk_id: int) -> bool:
    """One id range of a fanned-out scoring run; a repeat finds it done and does nothing."""
    return fanout.scoring_chunk_run(chunk_id=chunk_id)


@shared_task(name="accounts.tasks.drain_outbox", soft_time_limit=4 * 60, time_limit=5 * 60)
def drain_outbox(as_of: str | None = None) -> str:
    """Deliver pending health changes to their consumers (notifications, triage updates)."""
    return str(events.outbox_deliver(today=clock.as_of_or_today(as_of)))


def outbox_drain_enqueue() -> None:
    """Run after a commit that changed a color: deliver it now through the worker.

    Best effort: the change is already in the outbox table. When the broker does not answer a
    quick PING (healthscore.broker: 250 ms, then not asked again for a while) nothing is
    enqueued and the every-minute drain delivers the change once Redis is back; Celery's own
    timeouts (CELERY_BROKER_*) bound the rare hang that starts between the PING and the send.
    """
    conf = drain_outbox.app.conf
    if not conf.task_always_eager and not broker.broker_answers(conf.broker_url):
        return
    try:
        drain_outbox.delay()
    except OperationalError as exc:
        logger.warning("Broker unreachable, health changes wait in the outbox for the periodic drain: %s", exc)
