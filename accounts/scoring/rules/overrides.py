"""Overrides: a person's color in place of the computed one, for a while."""

from __future__ import annotations

import datetime as dt

# --- Overrides: a person's color in place of the computed one, for a while ------------------

# How long an override may last, in days after the day it starts.
OVERRIDE_MAX_DAYS = 90
# The owner's reminder: a CTA this many days before the override ends.
OVERRIDE_REMINDER_DAYS = 7


def override_in_force(starts_on: dt.date, expires_on: dt.date, as_of: dt.date) -> bool:
    """An active override sets the overall color from its first day to its expiry date, both
    included; the day after, the computed color is back."""
    return starts_on <= as_of <= expires_on


def override_dates_problems(*, starts_on: dt.date, expires_on: dt.date | None, today: dt.date) -> dict[str, str]:
    """What is wrong with an override's dates, by field (empty when nothing): it ends today at
    the earliest and at most OVERRIDE_MAX_DAYS after it starts."""
    if expires_on is None:
        return {"expires_on": "Say until when the override holds."}
    if expires_on < today:
        return {"expires_on": "The expiry date is in the past."}
    if expires_on < starts_on:
        return {"expires_on": "The expiry date is before the override starts."}
    if (expires_on - starts_on).days > OVERRIDE_MAX_DAYS:
        latest = starts_on + dt.timedelta(days=OVERRIDE_MAX_DAYS)
        return {
            "expires_on": f"An override lasts {OVERRIDE_MAX_DAYS} days at most: {latest.isoformat()} at the latest."
        }
    return {}


def override_reminder_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The expiry dates whose owners are reminded on as_of: an override in its last
    OVERRIDE_REMINDER_DAYS days (both ends included)."""
    return as_of, as_of + dt.timedelta(days=OVERRIDE_REMINDER_DAYS)


def override_reminder_due(expires_on: dt.date, as_of: dt.date) -> bool:
    """The owner is reminded in the last week of an override in force (override_reminder_window)."""
    first, last = override_reminder_window(as_of)
    return first <= expires_on <= last
