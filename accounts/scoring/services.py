"""The locked writes of health: the only code that stores scores, snapshots and an account's
current health."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts import events
from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs, rules

# The day's counts after a full run (also used by the fan-out's last chunk, accounts.scoring.fanout).
from accounts.scoring.counts import daily_counts_store
from healthscore import bulk, clock

logger = logging.getLogger(__name__)

# Accounts scored per round trip: bounds memory; each chunk costs a fixed number of queries.
RECOMPUTE_CHUNK = 5000


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
) -> int:
    """Score accounts (all by default) as of a date and store the snapshots; returns how many.

    The one writer of health. Per chunk of accounts, in one transaction and a fixed number of
    queries: lock the accounts' rows (ordered by id), read every input after the lock (so a
    save that committed while we waited is seen), compute, upsert the day's snapshots, update
    only the accounts whose current health changed, and record the color changes in the outbox.
    """
    as_of = as_of or clock.today()
    segment_rules = inputs.rules_by_segment()
    base = accounts if accounts is not None else Account.objects.all()
    done = 0
    last_pk = 0
    # Triage and notifications consume the run's color changes once, after the run.
    with events.deferred(), _old_objects_frozen():
        while True:
            ids = list(base.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            # All accounts: a chunk is the id range (index range scans); a subset: its id list,
            # unless it fills its range (an import of new accounts): then every id of the range is
            # one of the subset's, no other account can be in it, and a range reads cheaper than a
            # long IN list.
            whole_range = accounts is None or ids[-1] - ids[0] + 1 == len(ids)
            which = inputs.AccountSet(ids[0], ids[-1]) if whole_range else inputs.AccountSet(ids=tuple(ids))
            with transaction.atomic():
                chunk_score(which=which, as_of=as_of, segment_rules=segment_rules)
            done += len(ids)
            last_pk = ids[-1]
            if progress:
                progress(len(ids))
            if len(ids) < chunk_size:
                break
        if accounts is None:
            daily_counts_store(as_of=as_of)
    return done


@dataclass
class ChunkScored:
    """What scoring a chunk did: its color changes, and each account's scorecard and health."""

    changes: list[ColorChange] = field(default_factory=list)
    results: dict[int, rules.Result] = field(default_factory=dict)
    health: dict[int, tuple] = field(default_factory=dict)  # pk -> (color, score, health date)


def chunk_score(
    *, which: inputs.AccountSet, as_of: dt.date, segment_rules: dict[str, rules.Rules], confirmed: bool = False
) -> ChunkScored:
    """Score one chunk inside the caller's transaction (see scores_recompute).

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
            *OVERRIDE_SHOWN,
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
    snapshots = []
    updates = []
    changes = scored.changes
    for (pk, _, _, old_color, old_score, old_date, *old_shown), row in zip(accounts, rows, strict=True):
        result = scored.results[pk] = row.compute(segment_rules[row.segment], as_of)
        score = result.score_rounded
        confidence = row.confidence(result, segment_rules[row.segment])
        # An override in force sets the overall color; the computed score and color are kept.
        override = overrides.get(pk)
        color = override.color if override else result.color
        record = row.record(result, confidence)
        if override:
            record["override"] = override.record(result.color)
        snapshots.append((pk, None if score is None else str(score), color, _measures_json(result.measures), record))
        if pk in later:
            scored.health[pk] = (old_color, old_score, old_date)
            continue
        moved = confirmed or old_date is None or old_color is None or old_color != color
        health_date = as_of if moved else old_date
        scored.health[pk] = (color, score, health_date)
        shown = [
            row.last_held,
            row.sentiment,
            row.reason,
            None if confidence is None else confidence.percent,
            *_override_shown(result.color, override),
        ]
        if (old_color, old_score, old_date) != (color, score, health_date) or old_shown != shown:
            updates.append((pk, color, score, health_date, *shown))
        if old_color != color:
            changes.append(ColorChange(pk, old_color, color, as_of))
    _snapshots_upsert(snapshots, as_of, getattr(segment_rules, "versions", {}))
    _health_update(updates, as_of)
    if changes:
        # The outbox rows, atomically with the change; delivery is enqueued on commit, so a
        # rolled-back change triggers nothing.
        events.health_changes_record(changes)
    return scored


# The account's override columns (the read model), in the order _override_shown gives them.
OVERRIDE_SHOWN = ("computed_color", "override_until", "override_by", "override_reason")


def _override_shown(computed: str | None, override: inputs.OverrideInForce | None) -> tuple:
    """What the lists show of an override: the computed color always, and the override in force."""
    if override is None:
        return (computed, None, None, None)
    return (computed, override.expires_on, override.by, override.reason)


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


@lru_cache(maxsize=65536)
def _measures_json(measures: tuple[rules.MeasureResult, ...]) -> str:
    """The per-measure detail as stored, as JSON text; measures repeat across accounts (memoised
    in the rules), so most accounts share a text encoded once."""
    return json.dumps({m.name: m.as_dict() for m in measures})


def _snapshots_upsert(snapshots: list[tuple], as_of: dt.date, versions: dict[str, int | None]) -> None:
    """Upsert the day's snapshots from plain values in one statement per chunk (PostgreSQL: a
    multi-row INSERT, or for a large chunk a COPY into a staging table and one INSERT … SELECT) or
    one executemany (SQLite), no model instance per row. A snapshot equal to the stored one is left
    alone: re-running a day rewrites nothing. Each names the scorecard version of its segment's
    rules (`versions`, from inputs.rules_by_segment; the record says the segment)."""
    if not snapshots:
        return
    table = HealthSnapshot._meta.db_table
    now = timezone.now()
    day = as_of.isoformat()
    columns = "(account_id, date, score, color, measures, inputs, computed_at, config_version_id)"
    changed = "(score, color, measures, inputs, config_version_id)"
    rows = [
        (pk, day, score, color, measures, json.dumps(record), now, versions.get(record["segment"]))
        for pk, score, color, measures, record in snapshots
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            update = (
                "ON CONFLICT (account_id, date) DO UPDATE SET score = EXCLUDED.score, color = EXCLUDED.color, "
                "measures = EXCLUDED.measures, inputs = EXCLUDED.inputs, computed_at = EXCLUDED.computed_at, "
                "config_version_id = EXCLUDED.config_version_id "
                "WHERE (s.score, s.color, s.measures, s.inputs, s.config_version_id) IS DISTINCT FROM "
                "(EXCLUDED.score, EXCLUDED.color, EXCLUDED.measures, EXCLUDED.inputs, EXCLUDED.config_version_id)"
            )
            if bulk.copy_wanted(connection, len(rows)):
                # A large batch: COPY into a session's staging table, moved over in one statement.
                names = ", ".join(_SNAPSHOT_COLUMNS)
                bulk.copy_staged(
                    cursor,
                    staging=_SNAPSHOTS_STAGED,
                    definition="(account_id bigint, date date, score numeric, color text, measures jsonb, "
                    "inputs jsonb, computed_at timestamptz, config_version_id bigint) ON COMMIT DELETE ROWS",
                    columns=_SNAPSHOT_COLUMNS,
                    rows=rows,
                    move=f"INSERT INTO {table} AS s {columns} SELECT {names} FROM {_SNAPSHOTS_STAGED} {update}",
                )
                return
            values = ", ".join(["(%s, %s::date, %s::numeric, %s, %s::jsonb, %s::jsonb, %s, %s::bigint)"] * len(rows))
            cursor.execute(
                f"INSERT INTO {table} AS s {columns} VALUES {values} {update}",
                [value for row in rows for value in row],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                f"ON CONFLICT (account_id, date) DO UPDATE SET score = excluded.score, color = excluded.color, "
                f"measures = excluded.measures, inputs = excluded.inputs, computed_at = excluded.computed_at, "
                f"config_version_id = excluded.config_version_id "
                f"WHERE {changed} IS NOT "
                f"(excluded.score, excluded.color, excluded.measures, excluded.inputs, excluded.config_version_id)",
                rows,
            )


# The staging tables of the COPY path (PostgreSQL, large batches): temporary, one per session,
# emptied by the statement that moves their rows and at every commit.
_SNAPSHOTS_STAGED = "hs_snapshots_staged"
_SNAPSHOT_COLUMNS = ("account_id", "date", "score", "color", "measures", "inputs", "computed_at", "config_version_id")
_HEALTH_STAGED = "hs_health_staged"
_HEALTH_COLUMNS = (
    "id",
    "color",
    "score",
    "health_date",
    "last_meeting_on",
    "sentiment_color",
    "sentiment_reason",
    "confidence",
    *OVERRIDE_SHOWN,
)


def _health_update(updates: list[tuple], as_of: dt.date) -> None:
    """Write the changed accounts' current health and the facts the lists show beside it (the
    read model) from the values computed here: one statement (PostgreSQL: UPDATE … FROM VALUES)
    or one executemany (SQLite), no re-read of the snapshots."""
    if not updates:
        return
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            assignments = (
                "health_color = v.color, health_score = v.score, health_date = v.health_date, scored_on = %s, "
                "last_meeting_on = v.last_meeting_on, sentiment_color = v.sentiment_color, "
                f"sentiment_reason = v.sentiment_reason, health_confidence = v.confidence, {_OVERRIDE_SET_FROM_V}"
            )
            if bulk.copy_wanted(connection, len(updates)):
                # A large batch (a first scoring, a rules change): COPY into a staging table.
                bulk.copy_staged(
                    cursor,
                    staging=_HEALTH_STAGED,
                    definition="(id bigint, color text, score numeric, health_date date, last_meeting_on date, "
                    "sentiment_color text, sentiment_reason text, confidence smallint, computed_color text, "
                    "override_until date, override_by text, override_reason text) ON COMMIT DELETE ROWS",
                    columns=_HEALTH_COLUMNS,
                    rows=updates,
                    move=f"UPDATE {table} AS a SET {assignments} FROM {_HEALTH_STAGED} AS v WHERE a.id = v.id",
                    params=[as_of],
                )
                return
            values = ", ".join(
                ["(%s, %s, %s::numeric, %s::date, %s::date, %s, %s, %s::smallint, %s, %s::date, %s, %s)"] * len(updates)
            )
            cursor.execute(
                f"UPDATE {table} AS a SET {assignments} FROM (VALUES {values}) AS v({', '.join(_HEALTH_COLUMNS)}) "
                "WHERE a.id = v.id",
                [as_of, *(value for row in updates for value in row)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET health_color = %s, health_score = %s, health_date = %s, scored_on = %s, "
                "last_meeting_on = %s, sentiment_color = %s, sentiment_reason = %s, health_confidence = %s, "
                f"{_OVERRIDE_SET} WHERE id = %s",
                [
                    (
                        color,
                        None if score is None else str(score),
                        date,
                        as_of,
                        met,
                        feeling,
                        why,
                        confidence,
                        *override,
                        pk,
                    )
                    for pk, color, score, date, met, feeling, why, confidence, *override in updates
                ],
            )


_OVERRIDE_SET = ", ".join(f"{column} = %s" for column in OVERRIDE_SHOWN)
_OVERRIDE_SET_FROM_V = ", ".join(f"{column} = v.{column}" for column in OVERRIDE_SHOWN)


def accounts_rescore(
    *, account_ids, as_of: dt.date | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Rescore these accounts at once (an admin edit, an import): the same locked engine path."""
    ids = sorted({pk for pk in account_ids if pk is not None})
    done = 0
    # A chunk of ids per IN list (an import may touch every account); the run's color changes
    # are delivered once, after the last chunk.
    with events.deferred():
        for start in range(0, len(ids), RECOMPUTE_CHUNK):
            chunk = ids[start : start + RECOMPUTE_CHUNK]
            done += scores_recompute(as_of=as_of, accounts=Account.objects.filter(pk__in=chunk), progress=progress)
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
