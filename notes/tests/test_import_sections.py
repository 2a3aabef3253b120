"""The notes app's part of import_data (notes/import_sections.py): the signal data of account rows,
feature_requests and champion_changes; validated with places, idempotent by id."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from notes.models import ChampionChange, FeatureRequest

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "accounts": [
        {
            "id": "0015f00000ABC",
            "name": "Acme Corp",
            "segment": "enterprise",
            "arr": 120000,
            "region": "EMEA",
            "deployment": "self_managed",
            "licences_purchased": 500,
            "licences_used": 120,
            "product_stages": ["create", "verify"],
            "current_version": "15.4",
        }
    ],
    "feature_requests": [
        {
            "id": "FR-1",
            "account": "0015f00000ABC",
            "title": "SAML group sync",
            "important": True,
            "status": "open",
            "opened": "2026-10-01",
        },
        {"id": "FR-2", "account": "0015f00000ABC", "title": "Dark mode"},
    ],
    "champion_changes": [
        {
            "id": "CC-1",
            "account": "0015f00000ABC",
            "person": "Jane Doe",
            "role": "sponsor",
            "change": "left",
            "date": "2026-11-02",
        }
    ],
}


def run(tmp_path, document):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    call_command("import_data", str(path), verbosity=0)


def state():
    return (
        list(FeatureRequest.objects.order_by("pk").values()),
        list(ChampionChange.objects.order_by("pk").values()),
    )


def test_import_creates_feature_requests_and_champion_changes(tmp_path, capsys):
    run(tmp_path, DOCUMENT)
    sync = FeatureRequest.objects.get(external_id="FR-1")
    assert (sync.account.external_id, sync.title, sync.important, sync.status, sync.opened) == (
        "0015f00000ABC",
        "SAML group sync",
        True,
        "open",
        dt.date(2026, 10, 1),
    )
    dark = FeatureRequest.objects.get(external_id="FR-2")
    assert (dark.important, dark.status, dark.opened) == (False, "open", None)
    change = ChampionChange.objects.get(external_id="CC-1")
    assert (change.person, change.role, change.change, change.date) == (
        "Jane Doe",
        "sponsor",
        "left",
        dt.date(2026, 11, 2),
    )
    assert "feature requests 2 (2 new), champion changes 1 (1 new)" in capsys.readouterr().out
    data = Account.objects.get().signal_data
    assert (data.deployment, data.licences_used, data.product_stages, data.current_version) == (
        "self_managed",
        120,
        ["create", "verify"],
        "15.4",
    )


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    run(tmp_path, DOCUMENT)
    first = state()
    run(tmp_path, DOCUMENT)
    assert state() == first


def test_a_second_import_updates_rows_by_id(tmp_path):
    run(tmp_path, DOCUMENT)
    run(
        tmp_path,
        {"feature_requests": [{"id": "FR-1", "account": "0015f00000ABC", "title": "SAML", "status": "delivered"}]},
    )
    sync = FeatureRequest.objects.get(external_id="FR-1")
    assert (sync.title, sync.status, sync.important) == ("SAML", "delivered", True)  # unspecified fields kept
    assert FeatureRequest.objects.count() == 2


def test_problems_are_listed_with_their_place_and_nothing_is_written(tmp_path, capsys):
    AccountFactory(external_id="KNOWN")
    bad = {
        "feature_requests": [
            {"id": "FR-1", "account": "KNOWN", "title": "", "status": "maybe", "important": "yes"},
            {"id": "FR-1", "account": "NOPE", "title": "Twice", "opened": "01/10/2026"},
            {"account": "KNOWN", "title": "No id"},
        ],
        "champion_changes": [
            {"id": "CC-1", "account": "KNOWN", "person": "Ann", "change": "retired", "role": "cfo"},
            "not an object",
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_data", str(path), verbosity=0)
    problems = capsys.readouterr().err
    for expected in [
        "feature_requests[0].title: is required",
        "feature_requests[0].status: must be one of open, delivered, declined",
        "feature_requests[0].important: must be true or false",
        "feature_requests[1].id: duplicate of feature_requests[0]",
        "feature_requests[1].account: unknown account 'NOPE'",
        "feature_requests[1].opened: must be a date in YYYY-MM-DD form",
        "feature_requests[2].id: is required",
        "champion_changes[0].change: must be one of left, moved, reduced, new",
        "champion_changes[0].role: must be one of champion, sponsor",
        "champion_changes[0].date: is required",
        "champion_changes[1]: must be an object",
    ]:
        assert expected in problems, expected
    assert state() == ([], [])
