"""The color-change outbox and the registry of its consumers.

A color change is recorded as a HealthChange row in the transaction that changes the color
(the scoring service calls health_changes_record), and its delivery is enqueued once that
transaction commits. The drain hands every pending change, once, to each consumer the apps
registered in their AppConfig.ready() (notifications tells people, triage runs its pass on the
account), in batches (one transaction each), then marks the changes processed. Feature apps do
not import each other: they meet here.

Safe to run twice at once: each change is claimed under a row lock (skipping those another
drain holds), and one still pending is
processed by the next drain (every minute by beat, or after the next commit).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import HealthChange
from healthscore import bulk, clock

# A change older than this (a backfill of history) updates nothing and tells no one.
NOTIFY_WITHIN_DAYS = 7

Progress = Callable[[int], None] | None
# consumer(changes, today=...): called with a batch of news changes inside the transaction that
# marks them processed, each change's account (and its account team) selected; what it writes
# commits with the "processed" mark, or not at all. One set-based pass per batch.
Consumer = Callable[..., None]
# wrapper(drain=..., today=...): runs around the drain task's drain (drain() returns how many
# changes it processed) and does what follows it, e.g. sending the emails the consumers wrote;
# returns the run's summary.
DrainWrapper = Callable[..., object]

_consumers: list[Consumer] = []
_drain_wrappers: list[DrainWrapper] = []


def register_consumer(fn: Consumer) -> None:
    """An app's part in delivering a change; call from AppConfig.ready(). Consumers run in
    registration order (INSTALLED_APPS order)."""
    if fn not in _consumers:
        _consumers.append(fn)


def register_drain_wrapper(fn: DrainWrapper) -> None:
    """What an app does around each drain the drain task runs; call from AppConfig.ready()."""
    if fn not in _drain_wrappers:
        _drain_wrappers.append(fn)


def health_changes_record(changes) -> None:
    """Called by the scoring service inside the change's transaction: write the outbox rows, and
    enqueue their delivery once the transaction commits (once per scoring run, see deferred)."""
    # Plain rows, no model instance each: a first scoring of many accounts records one per account.
    bulk.rows_insert(
        HealthChange,
        [
            {"account_id": c.account_id, "old_color": c.old or "", "new_color": c.new or "", "as_of": c.as_of}
            for c in changes
        ],
        ignore_conflicts=True,
    )
    if not getattr(_deferral, "active", False):
        delivery_enqueue_on_commit()


def delivery_enqueue_on_commit() -> None:
    """Deliver the pending changes once the current transaction commits (best effort: the
    every-minute drain is the safety net)."""
    from accounts import tasks  # the tasks module imports this one

    transaction.on_commit(tasks.outbox_drain_enqueue, robust=True)


_deferral = threading.local()


@contextlib.contextmanager
def deferred():
    """Inside a scoring run of many chunks: record every change at once but enqueue a single
    delivery when the run ends, so triage and notifications consume the run's changes in one
    set-based pass afterwards instead of once per chunk."""
    if getattr(_deferral, "active", False):
        yield
        return
    _deferral.active = True
    recorded = HealthChange.objects.filter(processed_at__isnull=True).exists
    try:
        yield
    finally:
        _deferral.active = False
    if recorded():
        delivery_enqueue_on_commit()


@contextlib.contextmanager
def deferred_silent():
    """Record changes without enqueueing anything: the caller (a fanned-out run's last chunk)
    enqueues the delivery itself."""
    previous = getattr(_deferral, "active", False)
    _deferral.active = True
    try:
        yield
    finally:
        _deferral.active = previous


# Changes handed to the consumers per transaction: bounds lock time and memory.
DRAIN_BATCH = 2000


def outbox_drain(*, today: dt.date | None = None, progress: Progress = None) -> int:
    """Process every pending health change; returns how many were processed (settled as not
    news, or handed to the consumers). Set-based: the not-news in one statement, then the news
    in batches, each batch handed to every consumer at once in one transaction."""
    today = today or clock.today()
    processed = health_changes_settle_not_news(today=today)
    while True:
        done = health_changes_process_batch(today=today)
        if not done:
            break
        processed += done
        if progress:
            progress(done)
    return processed


def outbox_deliver(*, today: dt.date | None = None) -> object:
    """What the drain task runs: the drain, inside every registered drain wrapper."""
    today = today or clock.today()

    def drain() -> int:
        return outbox_drain(today=today)

    run: Callable[[], object] = drain
    for wrapper in reversed(_drain_wrappers):
        run = functools.partial(wrapper, drain=run, today=today)
    result = run()
    return f"Outbox: {result} health changes processed." if run is drain else result


def health_changes_settle_not_news(*, today: dt.date) -> int:
    """Mark processed, in one statement, every pending change nobody is told about: a first score,
    a color the account has moved on from, or one older than the notification window (the same
    test as health_change_process, which would only mark them one by one). A first scoring of
    100,000 accounts then costs one UPDATE instead of 100,000 transactions."""
    return (
        HealthChange.objects.filter(processed_at__isnull=True)
        .filter(
            Q(old_color="")
            | Q(new_color="")
            | Q(as_of__lt=today - dt.timedelta(days=NOTIFY_WITHIN_DAYS))
            | Q(account__health_color__isnull=True)
            | ~Q(account__health_color=F("new_color"))
        )
        .update(processed_at=timezone.now())
    )


def health_changes_process_batch(*, today: dt.date, limit: int = DRAIN_BATCH) -> int:
    """Claim up to `limit` pending news changes (locked, skipping those another drain holds),
    hand them to every registered consumer together, and mark them processed, all in one
    transaction: a rolled-back consumer leaves them pending for the next drain.

    Only a change that is still the account's current color and recent counts: the first score
    of an account is not a change anyone is told about, and a backfill of history is not news.
    """
    with transaction.atomic():
        claimed = list(
            HealthChange.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(processed_at__isnull=True)
            .select_related("account", "account__sal", "account__solutions_architect")
            .order_by("created_at", "pk")[:limit]
        )
        if not claimed:
            return 0
        news = [
            change
            for change in claimed
            if change.old_color != ""
            and change.new_color != ""
            and change.account.health_color == change.new_color
            and change.as_of >= today - dt.timedelta(days=NOTIFY_WITHIN_DAYS)
        ]
        if news:
            for consumer in _consumers:
                consumer(news, today=today)
        HealthChange.objects.filter(pk__in=[change.pk for change in claimed]).update(processed_at=timezone.now())
    return len(claimed)
