"""The engine's writes of a chunk's results, from plain values (no model instance per row): the
day's snapshots and the changed accounts' current health with the facts the lists show. Only
accounts.scoring.services calls these, inside its locked transaction."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs, rules
from healthscore import bulk

# The account's override columns (the read model), in the order override_shown gives them.
OVERRIDE_SHOWN = ("computed_color", "override_until", "override_by", "override_reason")
# Why the account has its color and why its confidence is not 100 %, as the lists show them
# (rules.health_reasons, rules.confidence; rules.reasons_text): as of scored_on, like the rest.
REASONS_SHOWN = ("health_reasons", "confidence_reasons")
# Every column of the account the engine writes: its current health and what the lists show
# beside it (the read model). Nothing else writes them (Django admin shows them read-only).
READ_MODEL = (
    "health_color",
    "health_score",
    "health_date",
    "scored_on",
    "last_meeting_on",
    "sentiment_color",
    "sentiment_reason",
    "health_confidence",
    *OVERRIDE_SHOWN,
    *REASONS_SHOWN,
)


def override_shown(computed: str | None, override: inputs.OverrideInForce | None) -> tuple:
    """What the lists show of an override: the computed color always, and the override in force."""
    if override is None:
        return (computed, None, None, None)
    return (computed, override.expires_on, override.by, override.reason)


def measures_json(measures: tuple[rules.MeasureResult, ...]) -> str:
    """The per-measure detail as stored, as JSON text: json.dumps({name: as_dict()}), put together
    from each measure's text. Whole scorecards rarely repeat (a day count or a ticket count
    differs: 75,000 distinct in 100,000 accounts), single measures do (memoised in the rules),
    so each measure is encoded once, not each account's four."""
    return "{" + ", ".join([_measure_json(m) for m in measures]) + "}"


@lru_cache(maxsize=65536)
def _measure_json(measure: rules.MeasureResult) -> str:
    return f"{json.dumps(measure.name)}: {json.dumps(measure.as_dict())}"


def snapshots_upsert(snapshots: list[tuple], as_of: dt.date, versions: dict[str, int | None]) -> None:
    """Upsert the day's snapshots ((account id, score, color, measures as JSON text, inputs as
    JSON text, segment) each) from plain values in one statement per chunk (PostgreSQL: a
    multi-row INSERT, or for a large chunk a COPY into a staging table and one INSERT … SELECT) or
    one executemany (SQLite), no model instance per row. A snapshot equal to the stored one is left
    alone: re-running a day rewrites nothing. Each names the scorecard version of its segment's
    rules (`versions`, from inputs.rules_by_segment)."""
    if not snapshots:
        return
    table = HealthSnapshot._meta.db_table
    now = timezone.now()
    day = as_of.isoformat()
    columns = f"({', '.join(_SNAPSHOT_COLUMNS)})"
    changed = "(score, color, measures, inputs, config_version_id)"
    rows = [
        (pk, day, score, color, measures, record, now, versions.get(segment))
        for pk, score, color, measures, record, segment in snapshots
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
                if not _day_has_snapshots(cursor, table, day, rows):
                    # A new day (the usual run): nothing to conflict with, so COPY straight into
                    # the table. The caller holds the accounts' row locks, and every writer of a
                    # snapshot takes them first: none can appear between the check and the COPY.
                    bulk.copy_in(cursor, table, _SNAPSHOT_COLUMNS, rows)
                    return
                # A large batch: COPY into a session's staging table, moved over in one statement.
                names = ", ".join(_SNAPSHOT_COLUMNS)
                bulk.copy_staged(
                    cursor,
                    staging=_SNAPSHOTS_STAGED,
                    shape=f"SELECT {names} FROM {table}",
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


def _day_has_snapshots(cursor, table: str, day: str, rows: list[tuple]) -> bool:
    """Whether any account in the id range of `rows` has a snapshot of `day` (a re-run of the
    day, a backfill): then the rows go through the upsert. One probe of the (date, color,
    account) index."""
    ids = [row[0] for row in rows]
    cursor.execute(
        f"SELECT 1 FROM {table} WHERE date = %s AND account_id BETWEEN %s AND %s LIMIT 1", [day, min(ids), max(ids)]
    )
    return cursor.fetchone() is not None


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
    *REASONS_SHOWN,
)


def health_update(updates: list[tuple], as_of: dt.date) -> None:
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
                f"sentiment_reason = v.sentiment_reason, health_confidence = v.confidence, {_TAIL_SET_FROM_V}"
            )
            if bulk.copy_wanted(connection, len(updates)):
                # A large batch (a first scoring, a rules change): COPY into a staging table.
                bulk.copy_staged(
                    cursor,
                    staging=_HEALTH_STAGED,
                    # The account's own column types, under the names the statement reads.
                    shape="SELECT id, health_color AS color, health_score AS score, health_date, last_meeting_on, "
                    "sentiment_color, sentiment_reason, health_confidence AS confidence, "
                    f"{', '.join(_TAIL)} FROM {table}",
                    columns=_HEALTH_COLUMNS,
                    rows=updates,
                    move=f"UPDATE {table} AS a SET {assignments} FROM {_HEALTH_STAGED} AS v WHERE a.id = v.id",
                    params=[as_of],
                )
                return
            values = ", ".join(
                ["(%s, %s, %s::numeric, %s::date, %s::date, %s, %s, %s::smallint, %s, %s::date, %s, %s, %s, %s)"]
                * len(updates)
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
                f"{_TAIL_SET} WHERE id = %s",
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
                        *tail,
                        pk,
                    )
                    for pk, color, score, date, met, feeling, why, confidence, *tail in updates
                ],
            )


_TAIL = (*OVERRIDE_SHOWN, *REASONS_SHOWN)
_TAIL_SET = ", ".join(f"{column} = %s" for column in _TAIL)
_TAIL_SET_FROM_V = ", ".join(f"{column} = v.{column}" for column in _TAIL)
