"""The daily pipeline as management commands (every app's): --as-of, progress bars, readable failures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Color
from accounts.tests.factories import AccountFactory, MeetingFactory
from triage.models import Cta, CtaKind, TriageRecord

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["run_daily_jobs", "run_triage", "send_notifications", "open_health_ctas", "open_cadence_ctas"]


@pytest.mark.django_db
def test_run_daily_jobs_runs_every_step_as_of_a_date(account_in, capsys):
    account = account_in(Color.RED)
    call_command("run_daily_jobs", "--as-of", "2026-11-24")
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Scores",
        "Triage",
        "Notifications",
        "Digests",
        "Out-of-date health",
        "Cadence",
        "Override CTAs",
        "Done as of 2026-11-24.",
    ]
    assert "Scoring: 100%" in err and "Triage: 100%" in err  # progress bars on stderr
    assert TriageRecord.objects.filter(account=account, opened_on="2026-11-24").exists()


@pytest.mark.django_db
def test_a_second_run_opens_nothing(account_in, capsys):
    account_in(Color.YELLOW)
    call_command("run_triage", "--as-of", "2026-11-24", verbosity=0)
    assert "1 CTAs opened" in capsys.readouterr().out
    call_command("run_triage", "--as-of", "2026-11-24", verbosity=0)
    out, err = capsys.readouterr()
    assert "0 triage records opened, 0 CTAs opened" in out and err == ""  # quiet at verbosity 0
    assert Cta.objects.filter(kind=CtaKind.DECIDE_TRIAGE).count() == 1


@pytest.mark.django_db
def test_backfill_cadence_ctas_as_of_a_past_date(tam, capsys):
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date="2026-10-01")
    call_command("open_cadence_ctas", "--as-of", "2026-10-20", verbosity=0)
    assert not Cta.objects.exists()
    call_command("open_cadence_ctas", "--as-of", "2026-11-24", verbosity=0)
    assert Cta.objects.get().opened_on.isoformat() == "2026-11-24"


@pytest.mark.django_db
def test_health_ctas_and_notifications_commands(tam, capsys):
    AccountFactory(tam=tam, health_date=None)
    call_command("open_health_ctas", "--as-of", "2026-11-24", verbosity=0)
    call_command("send_notifications", verbosity=0)
    out = capsys.readouterr().out
    assert "1 CTAs opened" in out and "Notifications: 0 health changes processed" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_date_is_refused(command):
    with pytest.raises(CommandError, match="--as-of: '2026-02-30' is not a date in YYYY-MM-DD form"):
        call_command(command, "--as-of", "2026-02-30")


def test_a_bad_date_exits_1_with_one_readable_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "run_daily_jobs", "--as-of", "tomorrow"],
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
    assert result.stderr.strip() == "CommandError: --as-of: 'tomorrow' is not a date in YYYY-MM-DD form"


@pytest.mark.django_db
def test_a_failing_step_is_reported_and_the_command_fails_after_the_others_ran(tam, capsys, monkeypatch):
    from notifications import services as notification_services

    AccountFactory(tam=tam)  # never had a cadence call: the last step owes it a CTA

    def mail_server_on_fire(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(notification_services, "notifications_deliver", mail_server_on_fire)
    with pytest.raises(CommandError, match="Notifications failed as of 2026-11-24; the other steps ran"):
        call_command("run_daily_jobs", "--as-of", "2026-11-24", verbosity=0)
    out, err = capsys.readouterr()
    assert "Notifications: failed: mail server on fire" in err
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "Scores",
        "Triage",
        "Digests",
        "Out-of-date health",
        "Cadence",
        "Override CTAs",
    ]
    assert Cta.objects.filter(kind=CtaKind.MISSED_CADENCE).count() == 1
