"""The locked writes of health: the only code that stores scores, snapshots and an account's
current health."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from accounts import events
from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs, processes, record, rules, runs, writes

# The day's counts after a full run (also used by the fan-out's last chunk, accounts.scoring.fanout).
from accounts.scoring.counts import daily_counts_store
from healthscore import checkpoints, clock

# Accounts scored per round trip: bounds memory; each chunk costs a fixed number of queries.
RECOMPUTE_CHUNK = 5000
# Chunks scored at once on PostgreSQL (accounts.scoring.runs): two keep the database and this process
# busy at the same time on two cores (measured in bench/recompute.py with --threads).
RECOMPUTE_THREADS = 2


@dataclass(frozen=True)
class ColorChange:
    """An account's overall color moved (old is None the first time it is scored)."""

    account_id: int
    old: str | None
    new: str | None
    as_of: dt.date


# Called inside the transaction when a TAM updates or confirms an account's health (the
# Customer Health Score Date moved to today); triage closes its "Update health score" CTA here.
health_update_listeners: list[Callable[[Account], None]] = []


def scores_recompute(
    *,
    as_of: dt.date | None = None,
    accounts: QuerySet[Account] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = RECOMPUTE_CHUNK,
    threads: int = RECOMPUTE_THREADS,
) -> int:
    """Score accounts (all by default) as of a date and store the snapshots; returns how many.

    The one writer of health. Per chunk of accounts, in one transaction and a fixed number of
    queries: lock the accounts' rows (ordered by id), read every input after the lock (so a
    save that committed while we waited is seen), compute, upsert the day's snapshots, update
    only the accounts whose current health changed, and record the color changes in the outbox.
    On PostgreSQL, outside a transaction, `threads` chunks are scored at once (accounts.scoring.runs).
    """
    as_of = as_of or clock.today()
    segment_rules = inputs.rules_by_segment()
    base = accounts if accounts is not None else Account.objects.all()
    done = 0

    # Triage and notifications consume the run's color changes once, after the run. On SQLite a
    # thread copies each chunk's commit back from the write-ahead log while the next chunk is
    # scored (healthscore.checkpoints). Processes share the run's Python work (forked first: no
    # thread may run when they start; accounts.scoring.processes).
    with events.deferred(), _old_objects_frozen():
        chunks = _id_chunks(base, chunk_size, whole=accounts is None)
        first = next(chunks, None)
        chunks = itertools.chain([first] if first else [], chunks)
        many = first is not None and first[1] == chunk_size  # more than one chunk may follow
        helpers = _processes_forked(as_of, segment_rules, threads) if many else []
        try:
            with checkpoints.behind() as committed:

                def chunk_commit(which: inputs.AccountSet) -> None:
                    with transaction.atomic():
                        chunk_score(which=which, as_of=as_of, segment_rules=segment_rules)
                    committed()

                if helpers and connection.vendor == "sqlite":
                    counts = runs.planned_ahead(
                        chunks,
                        helpers,
                        plan=lambda which: chunk_plan(which=which, as_of=as_of, segment_rules=segment_rules),
                        write=lambda plan: chunk_write(plan, as_of=as_of, segment_rules=segment_rules),
                        committed=committed,
                    )
                elif helpers:
                    counts = runs.in_processes(chunks, helpers)
                else:
                    in_threads = many and connection.vendor == "postgresql" and not connection.in_atomic_block
                    counts = runs.chunks_scored(chunks, chunk_commit, threads=threads if in_threads else 1)
                for count in counts:
                    done += count
                    if progress:
                        progress(count)
        finally:
            processes.all_closed(helpers)
        if accounts is None:
            daily_counts_store(as_of=as_of)
    return done


def _processes_forked(
    as_of: dt.date, segment_rules: dict[str, rules.Rules], threads: int
) -> list[processes.ChunkProcess]:
    """The processes that share a run of many chunks (accounts.scoring.processes), outside a
    caller's transaction: on SQLite, planners of the next chunks; on PostgreSQL, `threads`
    workers that score and commit whole chunks. None where they cannot be forked."""
    if connection.in_atomic_block:
        return []
    if connection.vendor == "sqlite":
        if not processes.planners_possible():
            return []
        return processes.forked(
            processes.PLANNERS, functools.partial(_planned, as_of=as_of, segment_rules=segment_rules)
        )
    if connection.vendor == "postgresql" and threads > 1:
        return processes.forked(threads, functools.partial(_committed, as_of=as_of, segment_rules=segment_rules))
    return []


def _planned(*, which: inputs.AccountSet, as_of: dt.date, segment_rules: dict[str, rules.Rules]) -> ChunkScored:
    """A SQLite planner's answer: the chunk's plan, without what the writer does not need."""
    scored = chunk_plan(which=which, as_of=as_of, segment_rules=segment_rules)
    scored.results, scored.health = {}, {}
    return scored


def _committed(*, which: inputs.AccountSet, as_of: dt.date, segment_rules: dict[str, rules.Rules]) -> None:
    """A PostgreSQL worker process's answer: the chunk scored and committed. Its color changes
    are recorded with it; the run delivers them once, after the last chunk."""
    with events.deferred_silent(), transaction.atomic():
        chunk_score(which=which, as_of=as_of, segment_rules=segment_rules)


def _id_chunks(base: QuerySet[Account], chunk_size: int, *, whole: bool) -> Iterator[tuple[inputs.AccountSet, int]]:
    """The accounts of `base` in id order, a chunk at a time, as (which accounts, how many)."""
    last_pk = 0
    while True:
        ids = list(base.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        # All accounts: a chunk is its id range; a subset: its ids, or their range if they fill it.
        yield inputs.AccountSet.of(ids, whole=whole), len(ids)
        last_pk = ids[-1]
        if len(ids) < chunk_size:
            return


@dataclass
class ChunkScored:
    """What scoring a chunk does: what it writes (the day's snapshots, the accounts whose current
    health changed, the color changes) and each account's health and scorecard. chunk_plan
    computes it from what it reads; chunk_write stores it."""

    changes: list[ColorChange] = field(default_factory=list)
    # Each scorecard; empty in a plan made by another process (accounts.scoring.processes).
    results: dict[int, rules.Result] = field(default_factory=dict)
    health: dict[int, tuple] = field(default_factory=dict)  # pk -> (color, score, health date)
    snapshots: list[tuple] = field(default_factory=list)  # as writes.snapshots_upsert takes them
    updates: list[tuple] = field(default_factory=list)  # as writes.health_update takes them


def chunk_score(
    *, which: inputs.AccountSet, as_of: dt.date, segment_rules: dict[str, rules.Rules], confirmed: bool = False
) -> ChunkScored:
    """Score one chunk inside the caller's transaction (see scores_recompute): read and compute
    after the lock (chunk_plan), then write (chunk_write)."""
    scored = chunk_plan(which=which, as_of=as_of, segment_rules=segment_rules, confirmed=confirmed)
    chunk_write(scored, as_of=as_of, segment_rules=segment_rules)
    return scored


def chunk_plan(
    *, which: inputs.AccountSet, as_of: dt.date, segment_rules: dict[str, rules.Rules], confirmed: bool = False
) -> ChunkScored:
    """What scoring a chunk writes, from what it reads now; it writes nothing. Inside a
    transaction the accounts' rows are locked first, so a save that committed while we waited is
    read. (A SQLite planner process calls it outside a transaction; the run then checks that
    nobody else committed in the meantime: accounts.scoring.processes.)

    The Customer Health Score Date moves to `as_of` when the overall color changes, or for every
    account of the chunk when `confirmed` (a TAM's update says the health is current). A snapshot
    for a date before an account's latest one is history: it leaves current health alone. An override
    in force on `as_of` sets the overall color; the snapshot records it with the computed color,
    and health_score stays the computed score.
    """
    # Locked in id order, with whether each account was already scored for a later date (a
    # backfill is running: this snapshot is history only), in the same statement.
    locked = list(
        Account.objects.select_for_update()
        .filter(**which.filter("pk"))
        .order_by("pk")
        .annotate(scored_later=Exists(HealthSnapshot.objects.filter(account=OuterRef("pk"), date__gt=as_of)))
        .values_list(
            "pk",
            "segment",
            "arr",
            "health_color",
            "health_score",
            "health_date",
            "last_meeting_on",
            "sentiment_color",
            "sentiment_reason",
            "health_confidence",
            *writes.OVERRIDE_SHOWN,
            *writes.REASONS_SHOWN,
            "scored_on",
            "scored_later",
        )
    )
    scored = ChunkScored()
    if not locked:
        return scored
    accounts = [row[:-1] for row in locked]
    later = {row[0] for row in locked if row[-1]}
    rows = inputs.read_inputs([(pk, segment, arr) for pk, segment, arr, *_ in accounts], which, as_of, segment_rules)
    # Overrides in force: read after the lock, like every input (a save that waited is seen).
    overrides = inputs.overrides_in_force(which, as_of)
    snapshots = scored.snapshots
    updates = scored.updates
    changes = scored.changes
    for (pk, _, _, old_color, old_score, old_date, *old_shown, old_scored_on), row in zip(accounts, rows, strict=True):
        result = scored.results[pk] = row.compute(segment_rules[row.segment], as_of)
        score = result.score_rounded
        confidence = row.confidence(result, segment_rules[row.segment])
        # An override in force sets the overall color; the computed score and color are kept.
        override = overrides.get(pk)
        color = override.color if override else result.color
        record_text = record.record_json(row, result, confidence, override.record(result.color) if override else None)
        measures = writes.measures_json(result.measures)
        snapshots.append((pk, None if score is None else str(score), color, measures, record_text, row.segment))
        if pk in later:
            scored.health[pk] = (old_color, old_score, old_date)
            # History, but of the very day the row is as of (later days were quiet): the row
            # stays, its words follow that day's snapshot (the account's own TAM reason).
            if old_scored_on == as_of:
                words = _words(result, confidence, old_shown[2])
                if old_shown[-2:] != words:
                    updates.append((pk, old_color, old_score, old_date, *old_shown[:-2], *words))
            continue
        moved = confirmed or old_date is None or old_color is None or old_color != color
        health_date = as_of if moved else old_date
        scored.health[pk] = (color, score, health_date)
        shown = [
            row.last_held,
            row.sentiment,
            row.reason,
            None if confidence is None else confidence.percent,
            *writes.override_shown(result.color, override),
        ]
        # The reasons the lists show are those of the scored_on snapshot, like every other column:
        # worded when the row is written anyway or when this run rewrites that day's snapshot (a
        # same-day re-score); a new day that changes nothing else leaves the row alone.
        rewrite = (old_color, old_score, old_date) != (color, score, health_date) or old_shown[:-2] != shown
        if rewrite or old_scored_on == as_of:
            shown += _words(result, confidence, row.reason)
            if rewrite or old_shown[-2:] != shown[-2:]:
                updates.append((pk, color, score, health_date, *shown))
        if old_color != color:
            changes.append(ColorChange(pk, old_color, color, as_of))
    return scored


def chunk_write(scored: ChunkScored, *, as_of: dt.date, segment_rules: dict[str, rules.Rules]) -> None:
    """Store a chunk's plan inside the caller's transaction: its snapshots, the changed accounts'
    current health, and its color changes in the outbox."""
    writes.snapshots_upsert(scored.snapshots, as_of, getattr(segment_rules, "versions", {}))
    writes.health_update(scored.updates, as_of)
    if scored.changes:
        # The outbox rows, atomically with the change; delivery is enqueued on commit, so a
        # rolled-back change triggers nothing.
        events.health_changes_record(scored.changes)


def _words(result: rules.Result, confidence: rules.Confidence | None, written: str | None) -> list[str]:
    """Account.health_reasons and .confidence_reasons for a scorecard and the TAM's reason."""
    return [
        rules.reasons_text(rules.health_reasons(((m.name, m.color, m.detail) for m in result.measures), written)),
        "" if confidence is None else rules.reasons_text(confidence.reasons),
    ]


_collector_lock = threading.Lock()
_collector_users = 0
_collector_was_enabled = True
_collector_froze = False


@contextlib.contextmanager
def _old_objects_frozen():
    """The garbage collector's passes walked every object Django holds (21-38 % of a
    100,000-account run's CPU, measured; still 10 % with those objects frozen): a run allocates
    only short-lived, acyclic rows, so the collector is paused for its duration and the objects
    that exist before it are set aside. The collector's state is the process's: the first of
    overlapping runs (threads) pauses it, the last one restores it; objects someone else froze
    (an import around its rescore) stay frozen."""
    global _collector_users, _collector_was_enabled, _collector_froze
    with _collector_lock:
        if _collector_users == 0:
            _collector_was_enabled = gc.isenabled()
            _collector_froze = gc.get_freeze_count() == 0
            gc.disable()
            if _collector_froze:
                gc.freeze()
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                if _collector_froze:
                    gc.unfreeze()
                if _collector_was_enabled:
                    gc.enable()


def accounts_rescore(
    *, account_ids, as_of: dt.date | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Rescore these accounts at once (an admin edit, an import): the same locked engine path,
    a chunk of the given ids at a time (no query to list them again), the run's color changes
    delivered once, after the last chunk. Returns how many of them exist and were scored."""
    ids = sorted({pk for pk in account_ids if pk is not None})
    if not ids:
        return 0
    as_of = as_of or clock.today()
    segment_rules = inputs.rules_by_segment()
    done = 0
    # The collector's state is checked once for the whole rescore: an import around it froze
    # millions of objects, and counting them (gc.get_freeze_count) walks them all each time.
    with events.deferred(), _old_objects_frozen():
        for start in range(0, len(ids), RECOMPUTE_CHUNK):
            chunk = ids[start : start + RECOMPUTE_CHUNK]
            with transaction.atomic():
                scored = chunk_score(which=inputs.AccountSet.of(chunk), as_of=as_of, segment_rules=segment_rules)
            done += len(scored.health)
            if progress:
                progress(len(chunk))
    return done


def segment_rescore(*, segment: str, as_of: dt.date | None = None, progress=None) -> int:
    """Rescore every account of a segment (its scorecard configuration changed), so lists, the
    dashboard and exports agree with the account page at once, not after the nightly run."""
    return scores_recompute(as_of=as_of, accounts=Account.objects.filter(segment=segment), progress=progress)


def account_rescore(*, account: Account, as_of: dt.date | None = None, confirmed: bool = False) -> rules.Result:
    """Recompute and store one account's scorecard (after a sentiment update, a meeting, ...),
    locked like the nightly run, so two saves at once end in a fresh computation's state.
    `confirmed`: the TAM says the health is current, so its date moves to as_of too."""
    as_of = as_of or clock.today()
    with transaction.atomic(savepoint=False):  # part of the caller's transaction, if any
        scored = chunk_score(
            which=inputs.AccountSet(ids=(account.pk,)),
            as_of=as_of,
            segment_rules=inputs.rules_by_segment(),
            confirmed=confirmed,
        )
    account.health_color, account.health_score, account.health_date = scored.health[account.pk]
    return scored.results[account.pk]
