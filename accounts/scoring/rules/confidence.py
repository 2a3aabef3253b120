"""Confidence: how much of a score rests on fresh data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from accounts.scoring.rules.freshness import health_is_stale, months_before
from accounts.scoring.rules.scorecard import Result, Rules

# --- Confidence: how much of the score rests on fresh data ------------------------------------
# A present measure is backed by fresh data when the data behind it was refreshed recently
# enough (`refreshed`: the date per measure, None = never):
#   engagement  meeting data recorded for the account, or a meetings import, within N days
#   roi         a success plan of the account touched within N days
#   support     a ticket import (the ticket sync) within N days
#   sentiment   the TAM set or confirmed the sentiment inside the segment's out-of-date window
#               (the same window as a stale health score: health_is_stale)
# Confidence = the present measures' weight backed by fresh data ÷ all present weight, as one
# integer percent rounded half up. A missing measure counts neither way; no score, no confidence.


@dataclass(frozen=True, slots=True)
class Confidence:
    percent: int  # 0-100
    reasons: tuple[str, ...]  # one plain sentence per present measure whose data is not fresh


def confidence(result: Result, refreshed: dict[str, dt.date | None], segment: str, rules: Rules) -> Confidence | None:
    """How much of the score's effective weight rests on fresh data, and why the rest does not."""
    if result.present_weight == 0:
        return None
    as_of = result.as_of
    fresh_weight = 0
    reasons = []
    for measure in result.measures:
        if measure.color is None:
            continue
        reason = _staleness(measure.name, refreshed.get(measure.name), segment, _age_limit(measure.name, rules), as_of)
        if reason is None:
            fresh_weight += measure.weight
        else:
            reasons.append(reason)
    percent = (200 * fresh_weight + result.present_weight) // (2 * result.present_weight)
    return Confidence(percent, tuple(reasons))


def _age_limit(name: str, rules: Rules) -> int | None:
    """How many days old a measure's data may be (None: the segment's window, for sentiment)."""
    if name == "engagement":
        return rules.confidence_meeting_days
    if name == "support":
        return rules.confidence_ticket_days
    if name == "roi":
        return rules.confidence_plan_days
    return None


_NOT_FRESH = {
    "engagement": ("no meeting data on record", "no meeting data for"),
    "support": ("no ticket sync on record", "no ticket sync for"),
    "roi": ("no success plan on record", "success plan not touched for"),
}


# Memoised like the measures: the dates repeat across accounts (a few hundred distinct ones).
@lru_cache(maxsize=65536)
def _staleness(name: str, date: dt.date | None, segment: str, limit: int | None, as_of: dt.date) -> str | None:
    """None when the measure's data is fresh, else why not, in words."""
    if name == "sentiment":
        if not health_is_stale(segment, date, as_of):
            return None
        return "sentiment never confirmed" if date is None else f"sentiment not confirmed for {age_words(date, as_of)}"
    never, since = _NOT_FRESH[name]
    if date is None:
        return never
    days = (as_of - date).days
    if days <= limit:
        return None
    return f"{since} {days} days"  # the limit is in days, so is the age


def age_words(date: dt.date, as_of: dt.date) -> str:
    """How long before as_of a date was, for a window in calendar months: whole months from a
    month up ("4 months"), days below ("9 days")."""
    months = (as_of.year - date.year) * 12 + as_of.month - date.month
    if months > 0 and months_before(as_of, months) < date:
        months -= 1
    if months:
        return "1 month" if months == 1 else f"{months} months"
    days = (as_of - date).days
    return "1 day" if days == 1 else f"{days} days"


def confidence_words(percent: int | None, reasons=()) -> str:
    """The confidence in one sentence, as every page says it:
    "Confidence 40 %: sentiment not confirmed for 4 months" ("" when there is none)."""
    if percent is None:
        return ""
    if not reasons:
        return f"Confidence {percent} %: every measure rests on fresh data"
    return f"Confidence {percent} %: {'; '.join(reasons)}"
