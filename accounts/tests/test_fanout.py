"""The full re-score fanned out in chunks (one idempotent task each) ends where one command does."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import Account, HealthChange, HealthSnapshot, ScoringChunk, ScoringRun
from accounts.scoring import fanout
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the chunk tasks are enqueued on commit


def world(today):
    accounts = AccountFactory.create_batch(7, segment="enterprise", arr=100_000)
    for n, account in enumerate(accounts):
        MeetingFactory(account=account, date=today - dt.timedelta(days=10 * n))
        SentimentFactory(account=account, color=("green", "yellow", "red")[n % 3], date=today)
    return accounts


def state(today):
    accounts = list(Account.objects.order_by("pk").values_list("pk", "health_color", "health_score", "health_date"))
    snapshots = list(
        HealthSnapshot.objects.filter(date=today).order_by("account_id").values_list("account_id", "score")
    )
    return accounts, snapshots


def test_a_fanned_out_run_ends_where_a_single_run_does(fixed_today):
    world(fixed_today)
    run = fanout.scoring_run_start(as_of=fixed_today, chunk_size=3)  # eager: the tasks run on commit
    run.refresh_from_db()
    assert (run.chunks_total, run.chunks_done) == (3, 3) and run.finished_at is not None
    fanned = state(fixed_today)
    HealthSnapshot.objects.all().delete()
    Account.objects.update(health_color=None, health_score=None, health_date=None, scored_on=None)
    scoring.scores_recompute(as_of=fixed_today)
    assert state(fixed_today) == fanned


def test_a_repeated_chunk_task_does_nothing(fixed_today):
    world(fixed_today)
    run = fanout.scoring_run_start(as_of=fixed_today, chunk_size=3)
    chunk = ScoringChunk.objects.filter(run=run).first()
    computed = HealthSnapshot.objects.get(account_id=chunk.first_id, date=fixed_today).computed_at
    assert fanout.scoring_chunk_run(chunk_id=chunk.pk) is False
    assert HealthSnapshot.objects.get(account_id=chunk.first_id, date=fixed_today).computed_at == computed
    assert ScoringRun.objects.get(pk=run.pk).chunks_done == 3


def test_the_run_s_changes_are_delivered_once_when_it_completes(fixed_today):
    world(fixed_today)
    scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=1))  # yesterday: everyone scored
    SentimentFactory(account=Account.objects.order_by("pk").first(), color="red", date=fixed_today, reason="x")
    fanout.scoring_run_start(as_of=fixed_today, chunk_size=3)
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_the_command_fans_out_and_reports(fixed_today, capsys):
    world(fixed_today)
    call_command("recompute_scores", "--fan-out", verbosity=0)
    assert "Scored 1 chunks" in capsys.readouterr().out
    assert HealthSnapshot.objects.filter(date=fixed_today).count() == 7
