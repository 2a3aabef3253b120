"""Celery tasks of the accounts app: thin wrappers that take ISO dates and call one service."""

from celery import shared_task

from accounts import services
from healthscore.clock import parse_iso_date


@shared_task(name="accounts.tasks.recompute_scores")
def recompute_scores(as_of: str | None = None) -> int:
    """Score every account and store the snapshots; safe to run twice (one snapshot per day)."""
    return services.scores_recompute(as_of=parse_iso_date(as_of) if as_of else None)
