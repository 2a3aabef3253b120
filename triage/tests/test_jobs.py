"""The triage jobs: the triage pass, out-of-date health and cadence CTAs; each idempotent."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import events
from accounts import services as account_services
from accounts.models import Account, Color, MeetingKind, MeetingStatus, Region, Segment
from accounts.tests.factories import AccountFactory, MeetingFactory
from triage import services
from triage.jobs import ctas, triage_run
from triage.models import (
    Cta,
    CtaKind,
    CtaState,
    Risk,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdateKind,
)
from triage.tests.factories import TriageRecordFactory

pytestmark = pytest.mark.django_db


def change_color(account, color, by=None):
    """The TAM sets the sentiment: the account is rescored in the same transaction."""
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=by or account.tam)
    account.refresh_from_db()


# --- Triage -------------------------------------------------------------------------------


def test_red_gets_a_triage_record_automatically_with_the_handbook_labels(account_in, fixed_today):
    account = account_in(Color.RED, region=Region.LATAM)
    result = triage_run.triage_run(as_of=fixed_today)
    record = TriageRecord.objects.get(account=account)
    assert result.triage_opened == 1
    assert (record.status, record.origin, record.risk, record.region, record.owner, record.opened_on) == (
        TriageStatus.OPEN,
        TriageOrigin.AUTOMATIC,
        Risk.RED,
        "LATAM",
        account.tam,
        fixed_today,
    )


def test_commercial_accounts_get_the_commercial_region_label(account_in, fixed_today):
    account_in(Color.RED, region=Region.APAC, segment=Segment.COMMERCIAL, arr=200000)
    triage_run.triage_run(as_of=fixed_today)
    assert TriageRecord.objects.get().region == "Commercial"


def test_red_with_an_open_record_gets_no_second_one(account_in, fixed_today):
    account = account_in(Color.RED)
    TriageRecordFactory(account=account, risk=Risk.RED)
    triage_run.triage_run(as_of=fixed_today)
    assert TriageRecord.objects.filter(account=account).count() == 1


def test_a_record_closed_during_this_red_spell_is_not_reopened(account_in, fixed_today):
    account = account_in(Color.GREEN)
    change_color(account, Color.RED)
    triage_run.triage_run(as_of=fixed_today)
    record = TriageRecord.objects.get(account=account)
    services.triage_close(
        triage=record,
        by=account.tam,
        classification="U&U",
        risk_reasons=["risk::competition"],
        resolution="Customer chose a competitor; nothing left to do.",
    )
    triage_run.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    assert TriageRecord.objects.filter(account=account).count() == 1


def test_a_new_red_spell_opens_a_new_record(account_in, fixed_today, monkeypatch):
    account = account_in(Color.RED)
    triage_run.triage_run(as_of=fixed_today)
    services.triage_close(
        triage=TriageRecord.objects.get(account=account),
        by=account.tam,
        classification="E&A",
        risk_reasons=["risk::lack of budget"],
        resolution="Budget found.",
    )
    later = fixed_today + dt.timedelta(days=5)
    monkeypatch.setattr("healthscore.clock.today", lambda: later)
    change_color(account, Color.GREEN)
    change_color(account, Color.RED)
    triage_run.triage_run(as_of=later)
    assert TriageRecord.objects.filter(account=account, status=TriageStatus.OPEN).count() == 1
    assert TriageRecord.objects.filter(account=account).count() == 2


def test_without_a_known_red_date_a_record_closed_while_red_is_respected(tam, fixed_today):
    account = AccountFactory(tam=tam, health_color=Color.RED, health_date=None)  # no recorded change
    TriageRecordFactory(
        account=account,
        risk=Risk.RED,
        status=TriageStatus.CLOSED,
        classification="E&A",
        resolution="x",
        closed_on=fixed_today - dt.timedelta(days=300),
    )
    triage_run.triage_run(as_of=fixed_today)
    assert not TriageRecord.objects.filter(account=account, status=TriageStatus.OPEN).exists()


def test_yellow_gets_a_decide_on_triage_cta_for_its_tam(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account)
    assert (cta.kind, cta.state, cta.opened_on) == (CtaKind.DECIDE_TRIAGE, CtaState.OPEN, fixed_today)
    assert "yellow since" in cta.detail
    assert not TriageRecord.objects.exists()


def test_a_dismissed_decision_stays_dismissed_while_the_account_stays_yellow(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    services.cta_dismiss(cta=Cta.objects.get(account=account), by=account.tam, reason="A known bug, fixed soon")
    change_color(account, Color.YELLOW)  # confirmed, still yellow
    triage_run.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    assert list(Cta.objects.values_list("state", flat=True)) == [CtaState.DISMISSED]


def test_yellow_again_after_green_asks_again(account_in, fixed_today, monkeypatch):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    services.cta_dismiss(cta=Cta.objects.get(account=account), by=account.tam, reason="Fine")
    later = fixed_today + dt.timedelta(days=3)
    monkeypatch.setattr("healthscore.clock.today", lambda: later)
    change_color(account, Color.GREEN)
    change_color(account, Color.YELLOW)
    triage_run.triage_run(as_of=later)
    assert Cta.objects.filter(account=account, state=CtaState.OPEN, kind=CtaKind.DECIDE_TRIAGE).count() == 1


def test_the_decide_cta_closes_itself_when_the_account_turns_red(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    change_color(account, Color.RED)
    triage_run.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account)
    assert cta.state == CtaState.DONE and cta.resolved_by is None
    assert TriageRecord.objects.get(account=account).risk == Risk.RED


def test_back_to_green_with_an_open_triage_asks_to_close_it(account_in, fixed_today):
    account = account_in(Color.RED)
    triage_run.triage_run(as_of=fixed_today)
    change_color(account, Color.GREEN)
    triage_run.triage_run(as_of=fixed_today)
    record = TriageRecord.objects.get(account=account)
    cta = Cta.objects.get(account=account, kind=CtaKind.CLOSE_TRIAGE)
    assert cta.triage == record and cta.state == CtaState.OPEN
    services.triage_close(
        triage=record,
        by=account.tam,
        classification="E&A",
        risk_reasons=["risk::lack of engagement"],
        resolution="Re-engaged with a new champion.",
    )
    cta.refresh_from_db()
    assert (cta.state, cta.resolved_by) == (CtaState.DONE, account.tam)


def test_the_risk_label_follows_the_account_health_and_is_logged(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    record = TriageRecordFactory(account=account, risk=Risk.YELLOW)
    change_color(account, Color.RED)
    result = triage_run.triage_run(as_of=fixed_today)
    record.refresh_from_db()
    assert (record.risk, result.risks_synced) == (Risk.RED, 1)
    update = record.updates.get()
    assert update.kind == TriageUpdateKind.RISK and "HS::Yellow → HS::Red" in update.text
    assert triage_run.triage_run(as_of=fixed_today).risks_synced == 0


def test_the_outbox_drain_updates_triage_at_once(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA)
    record = TriageRecordFactory(account=account, risk=Risk.YELLOW)
    change_color(account, Color.RED)
    events.outbox_drain()
    record.refresh_from_db()
    assert record.risk == Risk.RED


def test_snoozed_ctas_come_back_on_their_date(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    cta = services.cta_snooze(
        cta=Cta.objects.get(account=account), by=account.tam, until=fixed_today + dt.timedelta(days=2)
    )
    triage_run.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    cta.refresh_from_db()
    assert cta.state == CtaState.SNOOZED
    triage_run.triage_run(as_of=fixed_today + dt.timedelta(days=2))
    cta.refresh_from_db()
    assert (cta.state, cta.snoozed_until) == (CtaState.OPEN, None)


def test_triage_queries_do_not_grow_with_accounts(account_in, fixed_today, django_assert_max_num_queries):
    for color in (Color.RED, Color.YELLOW, Color.GREEN):
        account_in(color)
    triage_run.triage_run(as_of=fixed_today)
    for color in (Color.RED, Color.YELLOW, Color.GREEN) * 10:
        account_in(color)
    with django_assert_max_num_queries(20):
        triage_run.triage_run(as_of=fixed_today)


# --- Out-of-date health CTAs --------------------------------------------------------------


@pytest.mark.parametrize(
    "segment,age_days,stale",
    [
        (Segment.ENTERPRISE, 31, False),  # 2026-10-24 is exactly a month before 2026-11-24
        (Segment.ENTERPRISE, 32, True),
        (Segment.COMMERCIAL, 92, False),  # 2026-08-24
        (Segment.COMMERCIAL, 93, True),
    ],
)
def test_update_health_cta_after_a_month_enterprise_or_a_quarter_commercial(tam, fixed_today, segment, age_days, stale):
    AccountFactory(tam=tam, segment=segment, health_date=fixed_today - dt.timedelta(days=age_days))
    ctas.ctas_health_open(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.UPDATE_HEALTH).exists() is stale


def test_update_health_cta_closes_itself_when_the_tam_confirms(account_in, fixed_today):
    account = account_in(Color.GREEN)
    Account.objects.filter(pk=account.pk).update(health_date=fixed_today - dt.timedelta(days=40))
    ctas.ctas_health_open(as_of=fixed_today)
    cta = Cta.objects.get(account=account, kind=CtaKind.UPDATE_HEALTH)
    assert "more than a month old" in cta.detail
    account.refresh_from_db()
    account_services.health_confirm(account=account, by=account.tam)
    cta.refresh_from_db()
    assert (cta.state, cta.resolution, cta.resolved_by) == (CtaState.DONE, "Health updated or confirmed", None)


def test_update_health_cta_closes_itself_when_the_tam_updates_the_sentiment(account_in, fixed_today):
    account = account_in(Color.GREEN)
    Account.objects.filter(pk=account.pk).update(health_date=None)
    ctas.ctas_health_open(as_of=fixed_today)
    account.refresh_from_db()
    change_color(account, Color.YELLOW)
    assert Cta.objects.get(kind=CtaKind.UPDATE_HEALTH).state == CtaState.DONE


def test_a_done_update_health_cta_is_not_reopened_for_the_same_date(tam, fixed_today):
    account = AccountFactory(tam=tam, health_date=fixed_today - dt.timedelta(days=60))
    ctas.ctas_health_open(as_of=fixed_today)
    services.cta_done(cta=Cta.objects.get(), by=tam)
    ctas.ctas_health_open(as_of=fixed_today + dt.timedelta(days=1))
    assert Cta.objects.filter(account=account).count() == 1


def test_a_done_update_health_cta_comes_back_a_period_later_while_nothing_is_updated(tam, fixed_today):
    enterprise = AccountFactory(tam=tam, segment=Segment.ENTERPRISE, health_date=fixed_today - dt.timedelta(days=60))
    commercial = AccountFactory(tam=tam, segment=Segment.COMMERCIAL, health_date=fixed_today - dt.timedelta(days=100))
    ctas.ctas_health_open(as_of=fixed_today)
    for cta in Cta.objects.all():
        services.cta_done(cta=cta, by=tam)
    ctas.ctas_health_open(as_of=fixed_today + dt.timedelta(days=40))  # a month on: Enterprise again
    assert Cta.objects.filter(account=enterprise, state=CtaState.OPEN).count() == 1
    assert not Cta.objects.filter(account=commercial, state=CtaState.OPEN).exists()
    ctas.ctas_health_open(as_of=fixed_today + dt.timedelta(days=100))  # a quarter on: Commercial too
    assert Cta.objects.filter(account=commercial, state=CtaState.OPEN).count() == 1


def test_accounts_without_a_tam_get_no_ctas(fixed_today):
    AccountFactory(tam=None, health_date=None)
    ctas.ctas_health_open(as_of=fixed_today)
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert not Cta.objects.exists()


# --- Cadence CTAs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "onboarding,days_ago,missed",
    [(True, 7, False), (True, 8, True), (False, 30, False), (False, 31, True)],
)
def test_cadence_is_weekly_while_onboarding_and_monthly_otherwise(tam, fixed_today, onboarding, days_ago, missed):
    account = AccountFactory(tam=tam, onboarding=onboarding)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=days_ago), kind=MeetingKind.CADENCE)
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.MISSED_CADENCE).exists() is missed


def test_only_held_cadence_calls_count(tam, fixed_today):
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=2), status=MeetingStatus.CANCELLED)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=3), kind=MeetingKind.EBR)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45), kind=MeetingKind.CADENCE)
    ctas.ctas_cadence_open(as_of=fixed_today)
    cta = Cta.objects.get(kind=CtaKind.MISSED_CADENCE)
    assert cta.key == f"{fixed_today - dt.timedelta(days=45)}/1"  # the call, and one monthly window missed
    assert "last: 2026-10-10" in cta.detail


def test_the_cadence_cta_closes_once_a_call_is_held(tam, fixed_today):
    account = AccountFactory(tam=tam)
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.get().key.startswith("never/")
    MeetingFactory(account=account, date=fixed_today, kind=MeetingKind.CADENCE)
    result = ctas.ctas_cadence_open(as_of=fixed_today)
    assert (result.resolved, Cta.objects.get().state) == (1, CtaState.DONE)


def test_a_large_batch_of_logged_calls_closes_cadence_ctas_and_asks_once_when_none_is_open(
    tam, fixed_today, monkeypatch
):
    """An import logs calls for more accounts than a chunk: with a cadence CTA open it is closed
    as for a single call; with none open, one query says so and no chunk is read."""
    monkeypatch.setattr(ctas, "CHUNK", 2)
    accounts = [AccountFactory(tam=tam) for _ in range(5)]
    ids = [a.pk for a in accounts]
    ctas.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.filter(state=CtaState.OPEN).count() == 5
    MeetingFactory(account=accounts[3], date=fixed_today, kind=MeetingKind.CADENCE)
    assert ctas.cadence_cta_close(account_ids=ids, today=fixed_today) == 1
    assert Cta.objects.get(account=accounts[3]).state == CtaState.DONE
    Cta.objects.filter(state=CtaState.OPEN).update(state=CtaState.DONE)
    with CaptureQueriesContext(connection) as queries:
        assert ctas.cadence_cta_close(account_ids=ids, today=fixed_today) == 0
    assert len(queries) == 1


def test_a_done_cadence_cta_comes_back_when_the_next_window_is_missed_too(tam, fixed_today):
    account = AccountFactory(tam=tam, onboarding=True)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=8), kind=MeetingKind.CADENCE)
    ctas.ctas_cadence_open(as_of=fixed_today)
    services.cta_done(cta=Cta.objects.get(), by=tam)
    ctas.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=3))  # same weekly window: nothing new
    assert not Cta.objects.filter(state=CtaState.OPEN).exists()
    ctas.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=7))  # another week without a call
    assert Cta.objects.filter(account=account, state=CtaState.OPEN).count() == 1


def test_a_decide_on_triage_cta_cannot_just_be_marked_done(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account, kind=CtaKind.DECIDE_TRIAGE)
    with pytest.raises(ValidationError, match="open a triage record, or dismiss"):
        services.cta_done(cta=cta, by=account.tam)
    cta.refresh_from_db()
    assert cta.state == CtaState.OPEN
