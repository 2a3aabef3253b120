"""The one place that says what "today" is, so tests and --as-of can fix it."""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today's date in UTC."""
    return timezone.now().astimezone(dt.UTC).date()


def parse_iso_date(value: str) -> dt.date:
    """A YYYY-MM-DD string as a date; ValueError with a readable message otherwise."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form") from None


def as_of_or_today(value: str | None) -> dt.date:
    """An --as-of value (YYYY-MM-DD), or today when none was given."""
    return parse_iso_date(value) if value else today()
