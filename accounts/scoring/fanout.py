"""The full re-score fanned out over Celery workers (PostgreSQL, several machines).

One command on one machine stays the default (scores_recompute). With workers, a run is split
into id ranges, one idempotent task each: a task scores its range in one transaction with the
same locked engine path and marks its chunk done there, so a redelivered or repeated task finds
it done and does nothing. The chunk that completes the run (a compare-and-set on finished_at)
enqueues the outbox delivery once: triage and notifications then consume the run's changes in
one set-based pass.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import events
from accounts.models import Account, ScoringChunk, ScoringRun
from accounts.scoring import inputs
from accounts.scoring.counts import daily_counts_store
from accounts.scoring.services import RECOMPUTE_CHUNK, chunk_score


def scoring_run_start(*, as_of: dt.date, chunk_size: int = RECOMPUTE_CHUNK) -> ScoringRun:
    """Create the run and its chunks (id ranges of chunk_size accounts) and enqueue one task
    per chunk once this transaction commits."""
    from accounts import tasks  # the tasks module imports this one

    with transaction.atomic():
        run = ScoringRun.objects.create(as_of=as_of)
        bounds = []
        last = 0
        while True:
            ids = list(Account.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            bounds.append((ids[0], ids[-1]))
            last = ids[-1]
            if len(ids) < chunk_size:
                break
        chunks = ScoringChunk.objects.bulk_create([ScoringChunk(run=run, first_id=lo, last_id=hi) for lo, hi in bounds])
        ScoringRun.objects.filter(pk=run.pk).update(chunks_total=len(chunks))
        if not chunks:
            ScoringRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        for chunk in chunks:
            transaction.on_commit(lambda pk=chunk.pk: tasks.score_chunk.delay(pk))
    run.refresh_from_db()
    return run


def scoring_chunk_run(*, chunk_id: int) -> bool:
    """Score one chunk of a run, once; returns False when it was done already."""
    with transaction.atomic():
        chunk = ScoringChunk.objects.select_for_update().select_related("run").filter(pk=chunk_id).first()
        if chunk is None or chunk.done_at is not None:
            return False
        with events.deferred_silent():
            chunk_score(
                which=inputs.AccountSet(chunk.first_id, chunk.last_id),
                as_of=chunk.run.as_of,
                segment_rules=inputs.rules_by_segment(),
            )
        ScoringChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now())
        ScoringRun.objects.filter(pk=chunk.run_id).update(chunks_done=F("chunks_done") + 1)
        completed = ScoringRun.objects.filter(
            pk=chunk.run_id, finished_at__isnull=True, chunks_done=F("chunks_total")
        ).update(finished_at=timezone.now())
        if completed:
            # The run's last chunk: every account is scored, so the day's counts are final.
            daily_counts_store(as_of=chunk.run.as_of)
            events.delivery_enqueue_on_commit()
    return True
