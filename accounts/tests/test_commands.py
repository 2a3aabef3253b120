"""scorecard, recompute_scores and seed_demo, driven as a user would (import_data: imports/tests)."""

import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, HealthSnapshot, Meeting
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory

pytestmark = pytest.mark.django_db


def test_scorecard_json_output(capsys):
    account = AccountFactory(external_id="0015f00000ABC")
    MeetingFactory(account=account, date=dt.date(2026, 11, 2))
    Meeting.objects.update(created_at=dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC))
    SentimentFactory(account=account, date=dt.date(2026, 11, 20))
    call_command("scorecard", "0015f00000ABC", as_of="2026-11-24", json=True)
    line = json.loads(capsys.readouterr().out.strip())
    assert line["account"] == "0015f00000ABC" and line["as_of"] == "2026-11-24"
    # engagement green 10 + ROI red 0 + support green 5 + sentiment green 75
    assert (line["score"], line["color"]) == (90.0, "green")
    assert line["measures"]["engagement"] == {
        "color": "green",
        "weight": 10,
        "effective_weight": 10.0,
        "detail": "22 days since last meeting on 2026-11-02 (green up to 30 days, yellow up to 60)",
    }
    # Meeting data (recorded on its day) and sentiment are fresh; no plan and no ticket sync.
    assert line["confidence"] == 85
    assert line["confidence_reasons"] == ["no success plan on record", "no ticket sync on record"]
    assert not HealthSnapshot.objects.exists()  # read-only


def test_scorecard_missing_measure_is_null_with_zero_weight(capsys):
    AccountFactory(external_id="SMALL", segment="commercial", arr=Decimal("30000"))
    call_command("scorecard", json=True, as_of="2026-11-24")
    roi = json.loads(capsys.readouterr().out)["measures"]["roi"]
    assert (roi["color"], roi["effective_weight"]) == (None, 0)


def test_scorecard_text_output_for_all_accounts(capsys):
    AccountFactory(external_id="A1", name="Alpha")
    AccountFactory(external_id="B1", name="Beta")
    call_command("scorecard", as_of="2026-11-24")
    out = capsys.readouterr().out
    assert "A1  Alpha:" in out and "B1  Beta:" in out and "TAM Sentiment  missing" in out


def test_scorecard_unknown_account_fails():
    AccountFactory(external_id="A1")
    with pytest.raises(CommandError, match="unknown account\\(s\\): NOPE"):
        call_command("scorecard", "A1", "NOPE")


def test_bad_as_of_date_fails_readably():
    with pytest.raises(CommandError, match="--as-of: '2026-02-30' is not a date"):
        call_command("scorecard", as_of="2026-02-30")
    with pytest.raises(CommandError, match="--as-of"):
        call_command("recompute_scores", as_of="yesterday")


def test_recompute_scores_command_stores_snapshots(capsys):
    AccountFactory.create_batch(3)
    call_command("recompute_scores", as_of="2026-11-24", verbosity=0)
    call_command("recompute_scores", as_of="2026-11-24", verbosity=0)
    assert HealthSnapshot.objects.filter(date=dt.date(2026, 11, 24)).count() == 3
    assert "Scored 3 accounts as of 2026-11-24" in capsys.readouterr().out


def test_seed_demo_loads_a_believable_mix(capsys, fixed_today):
    call_command("seed_demo", accounts=60, verbosity=0)
    out = capsys.readouterr().out
    assert "ana" in out and "manager" in out
    colors = set(Account.objects.values_list("health_color", flat=True))
    assert colors == {"green", "yellow", "red"}
    assert set(Account.objects.values_list("segment", flat=True)) == {"enterprise", "commercial"}
    # 13 weekly scores (the quality app's demo scores weeks before them too, as history).
    assert HealthSnapshot.objects.filter(date__gte=fixed_today - dt.timedelta(weeks=12)).count() == 60 * 13
    call_command("seed_demo", if_empty=True, verbosity=0)
    assert Account.objects.count() == 60
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("seed_demo", verbosity=0)


def test_seed_demo_keeps_celery_and_kombu_quiet_around_its_progress_bar(caplog):
    from accounts.management.commands.seed_demo import _quiet_task_logs

    caplog.set_level(logging.INFO)
    with _quiet_task_logs():
        logging.getLogger("celery.app.trace").info("Task accounts.tasks.drain_outbox succeeded")
        logging.getLogger("kombu.connection").warning("No hostname was supplied.")
        logging.getLogger("celery").error("a real failure still shows")
    logging.getLogger("celery.app.trace").info("after seeding: back to normal")
    assert [r.getMessage() for r in caplog.records] == ["a real failure still shows", "after seeding: back to normal"]


def test_seed_demo_progress_covers_every_step_and_names_each_phase(db, fixed_today):
    from accounts.demo import DEMO_APPS, SCORED_WEEKS, demo_seed, demo_steps

    ticks, phases = [], []
    demo_seed(accounts=4, today=fixed_today, progress=ticks.append, phase=phases.append)
    # The bar ends at 100 % when everything is done: the logins, each account, each scored
    # week and each app's demo data (the longest wait, after the accounts, used to be off the bar).
    assert sum(ticks) == demo_steps(4) == 1 + 4 + SCORED_WEEKS + len(DEMO_APPS)
    assert phases[-len(DEMO_APPS) :] == [f"{app} demo data" for app in DEMO_APPS]
    assert f"scoring {SCORED_WEEKS} weeks" in phases


def test_seed_demo_logins_share_one_working_password_hash(db, fixed_today):
    from django.contrib.auth.models import User

    from accounts.demo import DEMO_PASSWORD, demo_seed

    demo_seed(accounts=2, today=fixed_today)
    for username in ("ana", "manager", "sam"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_the_progress_bar_starts_no_thread():
    """A scoring run forks its processes only from a single-threaded process
    (accounts.scoring.processes); tqdm's monitor thread would rule the commands out."""
    import threading

    from django.core.management.base import BaseCommand

    from accounts.management.commands._shared import progress_bar

    before = threading.active_count()
    with progress_bar(BaseCommand(), total=10, desc="Scoring", verbosity=1) as tick:
        tick(5)
        assert threading.active_count() == before
