"""The import section registry (healthscore/importing/): field parsers and their messages,
and the order rules the registry enforces. The whole document is tested in imports/tests."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from healthscore import importing
from healthscore.importing import Boolean, Count, Date, Id, Money, ParseContext, Ref, Row, Section, Text


def read(fields, raw, *, carried_only=False):
    problems = []
    row = Row("things", 0, raw, ParseContext({"things": [raw]}, problems))
    return row.read(fields, carried_only=carried_only), problems


def test_each_parser_reports_its_problem_under_the_rows_place():
    fields = (
        Id(url_safe=True),
        Text("name", required=True),
        Money("arr"),
        Count("seats"),
        Boolean("active"),
        Date("day", not_after_today=lambda: dt.date(2026, 11, 24)),
    )
    raw = {"id": "a/b", "arr": "1.005", "seats": 2.5, "active": "yes", "day": "2026-11-25"}
    values, problems = read(fields, raw)
    assert problems == [
        "things[0].id: may contain only letters, digits, '.', '_' and '-'",
        "things[0].name: is required",
        "things[0].arr: must have at most 2 decimal places",
        "things[0].seats: must be a whole number >= 0",
        "things[0].active: must be true or false",
        "things[0].day: must not be after today (2026-11-24)",
    ]
    assert set(values.values()) == {None}


def test_a_row_read_carried_only_holds_the_keys_it_has_and_the_required_ones():
    values, problems = read(
        (Id(), Text("name"), Boolean("active"), Text("note")), {"id": "A1", "active": None}, carried_only=True
    )
    assert values == {"external_id": "A1", "active": None} and problems == []


def test_a_reference_must_point_at_an_earlier_section_that_can_find_its_rows(monkeypatch):
    monkeypatch.setattr(importing.registry, "_sections", {})
    monkeypatch.setattr(importing.registry, "_extra_fields", {})
    importing.section_register(
        Section("early", order=1, fields=(Ref("thing", section="late"),), apply=lambda row, context: True)
    )
    importing.section_register(
        Section("late", order=2, fields=(Id(),), apply=lambda row, context: True, find=lambda ids: {})
    )
    with pytest.raises(ImproperlyConfigured, match="'early': thing must refer to an earlier section"):
        importing.sections()
    importing.section_register(
        Section("late", order=0, fields=(Id(),), apply=lambda row, context: True, find=lambda ids: {})
    )
    assert [s.name for s in importing.sections()] == ["late", "early"]
