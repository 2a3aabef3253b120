"""Health freshness ("stale"), the cadence rule and the sentiment in force."""

from __future__ import annotations

import calendar
import datetime as dt

from accounts.choices import MeetingKind, MeetingStatus
from accounts.scoring.rules.scorecard import COMMERCIAL, ENTERPRISE

# --- Health freshness and cadence ------------------------------------------------------------
# Handbook: TAMs get a CTA to update health scores "if they are out of date (monthly for
# Enterprise accounts and quarterly for Commercial)"; cadence calls are due "weekly during the
# customer onboarding phase and at least monthly otherwise".

# How many calendar months a Customer Health Score Date stays current, per segment.
FRESH_MONTHS = {ENTERPRISE: 1, COMMERCIAL: 3}
# The same, in words (a CTA's detail, the pages' Stale badge).
FRESH_WORDS = {ENTERPRISE: "a month", COMMERCIAL: "a quarter"}
# Days between cadence calls: weekly while onboarding, monthly otherwise.
CADENCE_DAYS_ONBOARDING = 7
CADENCE_DAYS = 30


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's end: May 31 -> Apr 30)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(segment: str, today: dt.date) -> dt.date:
    """A health date before this one is out of date for the segment."""
    return months_before(today, FRESH_MONTHS[segment])


def health_is_stale(segment: str, health_date: dt.date | None, today: dt.date) -> bool:
    """More than a month old (Enterprise) or a quarter old (Commercial); never set counts as stale."""
    return health_date is None or health_date < stale_before(segment, today)


def cadence_days(onboarding: bool) -> int:
    return CADENCE_DAYS_ONBOARDING if onboarding else CADENCE_DAYS


def cadence_missed(onboarding: bool, last_held: dt.date | None, today: dt.date) -> bool:
    """No cadence call held within the cadence window ending today."""
    return last_held is None or (today - last_held).days > cadence_days(onboarding)


# --- The sentiment in force ----------------------------------------------------------------
# The TAM sentiment that counts on a date is the newest entry dated on or before it; entries of
# one day are ordered by when they were saved, and the id breaks a tie of the same instant.
# Every read of "the sentiment in force" (scorecard, pages, confirm, history) uses this order.
SENTIMENT_NEWEST_FIRST = ("-date", "-created_at", "-pk")


# --- Cadence calls ---------------------------------------------------------------------------
# A cadence call is a held meeting of one of these kinds (an onboarding call counts while the
# customer onboards); "the last cadence call" is the latest such meeting on or before a date.
CADENCE_KINDS = (MeetingKind.CADENCE.value, MeetingKind.ONBOARDING.value)
CADENCE_STATUS = MeetingStatus.HELD.value
