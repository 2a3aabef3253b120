"""Snooze presets: when "1 week", "1 month" and "next quarter" bring a CTA back. Pure, no ORM."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import models


class SnoozePreset(models.TextChoices):
    WEEK = "week", "1 week"
    MONTH = "month", "1 month"
    QUARTER = "quarter", "Next quarter"


def snooze_preset_until(preset: str, today: dt.date) -> dt.date:
    """The day a preset brings the CTA back: a week on; the same day next month (the month's
    last day when it is shorter); the first day of the next calendar quarter."""
    if preset == SnoozePreset.WEEK:
        return today + dt.timedelta(days=7)
    if preset == SnoozePreset.MONTH:
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    if preset == SnoozePreset.QUARTER:
        first_month_next = (today.month - 1) // 3 * 3 + 4
        if first_month_next > 12:
            return dt.date(today.year + 1, 1, 1)
        return dt.date(today.year, first_month_next, 1)
    raise ValueError(f"Unknown snooze preset: {preset!r}")
