"""import_data driven as a user would: the document-level work (every problem with its place,
nothing written on any, one transaction, the same file twice changes nothing), the accounts
app's sections, the rescoring of what the import touched, and the command's exit code.
The notes app's sections are tested in notes/tests/test_import_sections.py."""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from accounts import events
from accounts.models import (
    Account,
    HealthSnapshot,
    Meeting,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "accounts": [
        {
            "id": "0015f00000ABC",
            "name": "Acme Corp",
            "segment": "enterprise",
            "arr": 120000,
            "region": "EMEA",
            "public_sector": False,
            "tam": "ana@example.com",
        },
        {"id": "0015f00000DEF", "name": "Globex", "segment": "commercial", "arr": 30000, "region": "APAC"},
    ],
    "meetings": [
        {"id": "M-1", "account": "0015f00000ABC", "date": "2026-11-02", "status": "held"},
        {"account": "0015f00000DEF", "date": "2026-10-01"},
    ],
    "tickets": [{"id": "ZD-1001", "account": "0015f00000ABC", "opened": "2026-11-10"}],
    "success_plans": [{"account": "0015f00000ABC", "status": "active"}],
    "sentiments": [
        {"account": "0015f00000ABC", "color": "green", "date": "2026-11-20", "reason": "Happy with the rollout"}
    ],
}


def write(tmp_path, document, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


def database_state():
    return {
        "accounts": list(Account.objects.order_by("pk").values()),
        "meetings": list(Meeting.objects.order_by("pk").values()),
        "tickets": list(SupportTicket.objects.order_by("pk").values()),
        "plans": list(SuccessPlan.objects.order_by("pk").values("pk", "account", "external_id", "status")),
        "sentiments": list(SentimentEntry.objects.order_by("pk").values("pk", "account", "color", "date", "reason")),
        "users": list(User.objects.order_by("pk").values("pk", "username", "email")),
    }


def test_import_creates_everything_and_a_passwordless_tam(tmp_path, capsys):
    call_command("import_data", write(tmp_path, EXAMPLE), verbosity=0)
    acme = Account.objects.get(external_id="0015f00000ABC")
    assert (acme.name, acme.arr, acme.region, acme.tam.email) == (
        "Acme Corp",
        Decimal("120000"),
        "EMEA",
        "ana@example.com",
    )
    assert not acme.tam.has_usable_password()
    assert Meeting.objects.get(external_id="M-1").account == acme
    assert Meeting.objects.get(account__external_id="0015f00000DEF").status == "held"  # default
    assert SupportTicket.objects.get(external_id="ZD-1001").opened == dt.date(2026, 11, 10)
    assert SuccessPlan.objects.get(account=acme).status == "active"
    assert SentimentEntry.objects.get(account=acme).reason == "Happy with the rollout"
    assert "accounts 2 (2 new)" in capsys.readouterr().out


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, EXAMPLE)
    call_command("import_data", path, verbosity=0)
    first = database_state()
    call_command("import_data", path, verbosity=0)
    after = database_state()
    for rows in (first, after):
        for row in rows["accounts"]:
            row.pop("updated_at")
    assert after == first


def test_import_updates_existing_rows_by_id(tmp_path):
    call_command("import_data", write(tmp_path, EXAMPLE), verbosity=0)
    changed = json.loads(json.dumps(EXAMPLE))
    changed["accounts"][0]["arr"] = 200000
    changed["success_plans"][0]["status"] = "draft"
    call_command("import_data", write(tmp_path, changed, "b.json"), verbosity=0)
    assert Account.objects.get(external_id="0015f00000ABC").arr == 200000
    assert list(SuccessPlan.objects.values_list("status", flat=True)) == ["draft"]


def test_bad_file_reports_every_problem_with_its_place_and_writes_nothing(tmp_path, capsys):
    AccountFactory(external_id="EXISTING")
    bad = {
        "accounts": [
            EXAMPLE["accounts"][0],
            {"id": "X2", "name": "B", "segment": "smb", "arr": 5, "region": "EMEA"},
            {"id": "X3", "name": "C", "segment": "enterprise", "arr": -1, "region": "MARS"},
            {"id": "0015f00000ABC", "name": "dup", "segment": "enterprise", "arr": 1, "region": "EMEA"},
        ],
        "meetings": [{"account": "NOPE", "date": "2026-13-01"}, {"account": "EXISTING", "date": "2026-11-01"}],
        "tickets": [{"account": "EXISTING", "opened": "2026-11-01"}],
        "sentiments": [{"account": "EXISTING", "color": "blue", "date": "2026-11-01"}],
        "surprise": [],
    }
    before = database_state()
    with pytest.raises(CommandError, match="9 problem\\(s\\), nothing imported") as err:
        call_command("import_data", write(tmp_path, bad), verbosity=0)
    problems = capsys.readouterr().err.splitlines()
    assert "accounts[1].segment: must be one of enterprise, commercial" in problems
    assert "accounts[2].arr: must be a number >= 0" in problems
    assert "accounts[2].region: must be one of US-WEST, US-EAST, EMEA, APAC, LATAM" in problems
    assert "accounts[3].id: duplicate of accounts[0]" in problems
    assert "meetings[0].account: unknown account 'NOPE' (not in this file nor in the database)" in problems
    assert "meetings[0].date: must be a date in YYYY-MM-DD form" in problems
    assert "tickets[0].id: is required" in problems
    assert str(err.value).count("\n") == 0
    assert database_state() == before


def test_surprise_section_and_sentiment_color_are_reported(tmp_path, capsys):
    bad = {"sentiments": [{"account": "X", "color": "blue", "date": "2026-11-01"}], "extra": []}
    with pytest.raises(CommandError):
        call_command("import_data", write(tmp_path, bad), verbosity=0)
    err = capsys.readouterr().err
    assert "extra: unknown section" in err
    assert "sentiments[0].color: must be one of green, yellow, red" in err


@pytest.mark.parametrize(
    "content,message",
    [("{not json", "not valid JSON"), ("[1, 2]", "problem"), (None, "no such file")],
)
def test_unreadable_files_fail_with_one_line(tmp_path, content, message):
    path = write(tmp_path, content) if content is not None else str(tmp_path / "missing.json")
    with pytest.raises(CommandError, match=message):
        call_command("import_data", path, verbosity=0)


def test_more_than_two_decimals_url_unsafe_ids_and_future_sentiments_are_refused(tmp_path, capsys, fixed_today):
    bad = {
        "accounts": [
            {"id": "0015/ABC", "name": "Slash", "segment": "enterprise", "arr": 1, "region": "EMEA"},
            {"id": "A2", "name": "Cents", "segment": "enterprise", "arr": 100.125, "region": "EMEA"},
        ],
        "sentiments": [{"account": "A2", "color": "red", "date": "2026-11-25"}],
    }
    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_data", write(tmp_path, bad), verbosity=0)
    err = capsys.readouterr().err
    assert "accounts[0].id: may contain only letters, digits, '.', '_' and '-'" in err
    assert "accounts[1].arr: must have at most 2 decimal places" in err
    assert "sentiments[0].date: must not be after today (2026-11-24)" in err
    assert not Account.objects.exists()


def test_a_reimport_without_the_account_team_keeps_it(tmp_path):
    first = {
        "accounts": [
            {
                **EXAMPLE["accounts"][0],
                "sal": "sam@example.com",
                "sa": "sol@example.com",
                "onboarding": True,
                "public_sector": True,
            }
        ]
    }
    call_command("import_data", write(tmp_path, first), verbosity=0)
    call_command("import_data", write(tmp_path, {"accounts": [EXAMPLE["accounts"][0]]}, "b.json"), verbosity=0)
    acme = Account.objects.get(external_id="0015f00000ABC")
    assert (acme.sal.email, acme.solutions_architect.email) == ("sam@example.com", "sol@example.com")
    assert acme.onboarding is True
    assert acme.public_sector is False  # the example row says false explicitly


def test_a_tam_email_that_is_an_existing_username_is_that_user(tmp_path):
    User.objects.create_user(username="ana@example.com", email="")
    call_command("import_data", write(tmp_path, EXAMPLE), verbosity=0)
    assert Account.objects.get(external_id="0015f00000ABC").tam.username == "ana@example.com"
    assert User.objects.filter(username__iexact="ana@example.com").count() == 1


def test_a_meeting_without_id_leaves_meetings_logged_in_the_app_alone(tmp_path):
    account = AccountFactory(external_id="ACC1")
    MeetingFactory.create_batch(2, account=account, date=dt.date(2026, 11, 2), summary="Logged in the app")
    doc = {"meetings": [{"account": "ACC1", "date": "2026-11-02", "status": "cancelled"}]}
    call_command("import_data", write(tmp_path, doc), verbosity=0)
    call_command("import_data", write(tmp_path, doc), verbosity=0)
    assert Meeting.objects.filter(account=account, status="held").count() == 2
    assert Meeting.objects.filter(account=account, status="cancelled").count() == 1


def test_line_breaks_are_refused_in_one_line_fields_but_kept_in_reasons(tmp_path, capsys):
    doc = {
        "accounts": [{"id": "A1", "name": "Acme\nCorp", "segment": "enterprise", "arr": 1, "region": "EMEA"}],
        "sentiments": [{"account": "A1", "color": "red", "date": "2026-11-01", "reason": "Line one\nLine two"}],
    }
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_data", write(tmp_path, doc), verbosity=0)
    assert "accounts[0].name: must be on one line" in capsys.readouterr().err


# --- The import rescores what it touched -----------------------------------------------------


@pytest.fixture
def color_changes(monkeypatch):
    """Every color change the scoring service records in the outbox."""
    seen = []
    record = events.health_changes_record

    def recording(changes):
        seen.extend(changes)
        record(changes)

    monkeypatch.setattr(events, "health_changes_record", recording)
    return seen


def test_importing_a_sentiment_changes_the_stored_health_color_at_once(tmp_path, fixed_today, color_changes):
    account = AccountFactory(external_id="ACC1")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=2))
    SentimentFactory(account=account, color="green", date=fixed_today - dt.timedelta(days=10))
    scoring.scores_recompute(as_of=fixed_today)
    account.refresh_from_db()
    assert account.health_color == "green"
    doc = {"sentiments": [{"account": "ACC1", "color": "red", "date": fixed_today.isoformat(), "reason": "Budget cut"}]}
    call_command("import_data", write(tmp_path, doc), verbosity=0)
    account.refresh_from_db()
    assert (account.health_color, account.health_date, account.scored_on) == ("red", fixed_today, fixed_today)
    assert HealthSnapshot.objects.get(account=account, date=fixed_today).color == "red"
    assert [(c.old, c.new) for c in color_changes] == [(None, "green"), ("green", "red")]


def test_importing_meetings_moves_engagement_at_once(tmp_path, fixed_today):
    account = AccountFactory(external_id="ACC1")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45))
    scoring.scores_recompute(as_of=fixed_today)
    engagement = HealthSnapshot.objects.get(account=account, date=fixed_today).measures["engagement"]
    assert engagement["color"] == "yellow"
    yesterday = (fixed_today - dt.timedelta(days=1)).isoformat()
    call_command("import_data", write(tmp_path, {"meetings": [{"account": "ACC1", "date": yesterday}]}), verbosity=0)
    engagement = HealthSnapshot.objects.get(account=account, date=fixed_today).measures["engagement"]
    assert engagement["color"] == "green"
    assert f"since last meeting on {yesterday}" in engagement["detail"]


def test_a_reimport_of_the_same_file_stores_no_new_snapshot_and_no_change(tmp_path, fixed_today, color_changes):
    path = write(tmp_path, EXAMPLE)
    call_command("import_data", path, verbosity=0)
    assert HealthSnapshot.objects.filter(date=fixed_today).count() == 2
    changes, health = len(color_changes), list(Account.objects.values_list("health_color", "health_date"))
    call_command("import_data", path, verbosity=0)
    assert HealthSnapshot.objects.count() == 2
    assert len(color_changes) == changes
    assert list(Account.objects.values_list("health_color", "health_date")) == health


def test_rows_that_feed_no_score_input_rescore_nothing(tmp_path, fixed_today):
    AccountFactory(external_id="ACC1")
    doc = {"feature_requests": [{"id": "FR-1", "account": "ACC1", "title": "SAML group sync"}]}
    call_command("import_data", write(tmp_path, doc), verbosity=0)
    assert not HealthSnapshot.objects.exists()


# --- The command ----------------------------------------------------------------------------


def test_a_bad_file_exits_1_with_its_problems_on_stderr(tmp_path):
    """The real command line: the exit code and stderr the shell sees."""
    bad = {"accounts": [{"id": "A1", "name": "Acme", "segment": "smb", "arr": -1, "region": "EMEA"}]}
    path = write(tmp_path, bad)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_data", path],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "healthscore.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "accounts[0].segment: must be one of enterprise, commercial",
        "accounts[0].arr: must be a number >= 0",
        f"CommandError: {path}: 2 problem(s), nothing imported",
    ]
    assert result.stdout == ""
