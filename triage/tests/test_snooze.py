"""Snooze presets: the day each brings a CTA back."""

import datetime as dt

import pytest

from triage.snooze import snooze_preset_until


@pytest.mark.parametrize(
    "preset,today,until",
    [
        ("week", dt.date(2026, 11, 24), dt.date(2026, 12, 1)),
        ("month", dt.date(2026, 11, 24), dt.date(2026, 12, 24)),
        ("month", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),  # a shorter month: its last day
        ("month", dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        ("quarter", dt.date(2026, 11, 24), dt.date(2027, 1, 1)),
        ("quarter", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ("quarter", dt.date(2026, 9, 30), dt.date(2026, 10, 1)),
    ],
)
def test_each_preset_names_its_day(preset, today, until):
    assert snooze_preset_until(preset, today) == until


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        snooze_preset_until("fortnight", dt.date(2026, 11, 24))
