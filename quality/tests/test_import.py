"""Renewal outcomes through import_data (and so the API's bulk upsert): good rows, every bad row
reported with its place, nothing imported on error, a second import changes nothing."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import AccountFactory
from quality.models import RenewalOutcome

pytestmark = pytest.mark.django_db


def write(tmp_path, document, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def stored():
    return list(
        RenewalOutcome.objects.order_by("account__external_id", "date").values_list(
            "account__external_id", "date", "outcome", "arr"
        )
    )


def test_outcomes_are_imported_with_accounts_of_the_same_file_and_of_the_database(tmp_path, fixed_today):
    AccountFactory(external_id="OLD")
    document = {
        "accounts": [{"id": "NEW", "name": "New Co", "segment": "commercial", "arr": 30000, "region": "EMEA"}],
        "renewal_outcomes": [
            {"account": "NEW", "date": "2026-06-30", "outcome": "churned", "arr": 0},
            {"account": "OLD", "date": "2026-03-31", "outcome": "expanded", "arr": "150000.50"},
        ],
    }
    call_command("import_data", write(tmp_path, document), verbosity=0)
    assert stored() == [
        ("NEW", dt.date(2026, 6, 30), "churned", Decimal("0")),
        ("OLD", dt.date(2026, 3, 31), "expanded", Decimal("150000.50")),
    ]
    # Audited like a form's save: one "created" version each, by nobody (a command).
    assert RenewalOutcome.history.filter(history_type="+").count() == 2


def test_the_same_file_twice_changes_nothing_and_a_corrected_row_updates(tmp_path, fixed_today):
    AccountFactory(external_id="A1")
    row = {"account": "A1", "date": "2026-06-30", "outcome": "renewed", "arr": 100}
    call_command("import_data", write(tmp_path, {"renewal_outcomes": [row]}), verbosity=0)
    call_command("import_data", write(tmp_path, {"renewal_outcomes": [row]}), verbosity=0)
    assert len(stored()) == 1 and RenewalOutcome.history.count() == 1
    fixed = {**row, "outcome": "downsell", "arr": 60}
    call_command("import_data", write(tmp_path, {"renewal_outcomes": [fixed]}), verbosity=0)
    assert stored() == [("A1", dt.date(2026, 6, 30), "downsell", Decimal("60"))]
    assert [h.history_type for h in RenewalOutcome.history.order_by("history_date")] == ["+", "~"]


def test_every_bad_row_is_reported_with_its_place_and_nothing_is_imported(tmp_path, capsys, fixed_today):
    AccountFactory(external_id="A1")
    bad = {
        "renewal_outcomes": [
            {"account": "A1", "date": "2026-06-30", "outcome": "renewed", "arr": 100},  # good
            {"account": "NOPE", "date": "2026-06-31", "outcome": "lost", "arr": -5},
            {"account": "A1", "date": "2026-05-01", "outcome": "churned", "arr": 10},
            {"account": "A1", "date": "2026-12-01", "outcome": "renewed", "arr": 0},
            {"account": "A1"},
        ]
    }
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_data", write(tmp_path, bad), verbosity=0)
    problems = capsys.readouterr().err.splitlines()
    for expected in (
        "renewal_outcomes[1].account: unknown account 'NOPE' (not in this file nor in the database)",
        "renewal_outcomes[1].date: must be a date in YYYY-MM-DD form",
        "renewal_outcomes[1].outcome: must be one of renewed, expanded, downsell, churned",
        "renewal_outcomes[1].arr: must be a number >= 0",
        "renewal_outcomes[2].arr: must be 0 for a churned account",
        "renewal_outcomes[3].date: must not be after today (2026-11-24)",
        "renewal_outcomes[3].arr: must be above 0 unless the account churned",
        "renewal_outcomes[4].date: is required",
        "renewal_outcomes[4].outcome: is required",
        "renewal_outcomes[4].arr: is required",
    ):
        assert expected in problems
    assert stored() == []
