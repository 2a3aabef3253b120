"""Celery tasks of the accounts app: thin wrappers that take ISO dates and call one service."""

from celery import shared_task

from accounts.scoring import services as scoring
from healthscore import clock


@shared_task(name="accounts.tasks.recompute_scores")
def recompute_scores(as_of: str | None = None) -> int:
    """Score every account and store the snapshots; safe to run twice (one snapshot per day)."""
    return scoring.scores_recompute(as_of=clock.as_of_or_today(as_of))
