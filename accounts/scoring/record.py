"""The snapshot's record (what produced a score, stored with it so anyone can see why) as the
exact JSON text json.dumps would write, put together from memoised pieces: a daily run writes
one per account, and encoding a dict took longer than computing the scorecard."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from accounts.scoring import rules

if TYPE_CHECKING:
    from accounts.scoring.inputs import ScoreInputs


def record_json(
    row: ScoreInputs,
    result: rules.Result,
    confidence: rules.Confidence | None = None,
    override: dict | None = None,
) -> str:
    """What produced the score, stored with it so anyone can always see why: the inputs, the
    unrounded score, the confidence (how much of the score rests on fresh data, why not the
    rest, and the refresh dates it was computed from) and the override in force, if any; as the
    text json.dumps writes for that dict (a test compares them)."""
    text = (
        f'{{"segment": {_json(row.segment)}, "arr": "{row.arr}", '
        f'"last_held_meeting": {_json_date(row.last_held)}, "tickets_in_window": {row.tickets}, '
        f'"active_plan": {_JSON_BOOL[row.active_plan]}, "draft_plan": {_JSON_BOOL[row.draft_plan]}, '
        f'"sentiment": {_json(row.sentiment)}, "sentiment_date": {_json_date(row.sentiment_date)}, '
        f'"score_unrounded": '
        f"{'null' if result.present_weight == 0 else _json(exact(result.points_sum, result.present_weight))}, "
        f'"confidence": {"null" if confidence is None else confidence.percent}, '
        f'"confidence_reasons": {_json(() if confidence is None else confidence.reasons)}, '
        f'"meetings_refreshed": {_json_date(row.meetings_refreshed)}, '
        f'"plan_touched": {_json_date(row.plan_touched)}, "tickets_synced": {_json_date(row.tickets_synced)}'
    )
    if override is not None:
        text += f', "override": {json.dumps(override)}'
    return text + "}"


_JSON_BOOL = {True: "true", False: "false"}


@lru_cache(maxsize=4096)
def _json(value) -> str:
    """JSON text of a value that repeats across accounts (a segment, a color, reasons)."""
    return json.dumps(list(value) if isinstance(value, tuple) else value)


@lru_cache(maxsize=4096)
def _json_date(value: dt.date | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


@lru_cache(maxsize=4096)
def exact(numerator: int, denominator: int) -> str:
    """A fraction as a decimal string, exact when it terminates (96.875), else to 6 places; a
    whole number plainly ("100", where normalize() alone gives "1E+2")."""
    return format((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001")).normalize(), "f")
