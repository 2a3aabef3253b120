"""The daily jobs and the outbox: triage, CTAs, notifications; each idempotent."""

import datetime as dt
import importlib
import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts import services as account_services
from accounts.models import Account, Color, MeetingKind, MeetingStatus, Region, Segment
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory
from triage import jobs, selectors, services
from triage.models import (
    Cta,
    CtaKind,
    CtaState,
    EmailStatus,
    HealthChange,
    Notification,
    Risk,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdateKind,
)
from triage.tests.conftest import healthy_account
from triage.tests.factories import TriageRecordFactory

pytestmark = pytest.mark.django_db


def change_color(account, color, by=None):
    """The TAM sets the sentiment: the account is rescored in the same transaction."""
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=by or account.tam)
    account.refresh_from_db()


def usernames(notifications):
    return sorted(n.recipient.username for n in notifications)


# --- Recipients ---------------------------------------------------------------------------


def test_yellow_tells_the_account_team_the_regional_tam_manager_and_the_tam_director(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    recipients = selectors.notification_recipients(account=account, color=Color.YELLOW)
    assert sorted(r.user.username for r in recipients) == ["director", "rtm", "sa", "sal"]


def test_red_adds_the_area_sales_manager_the_regional_director_and_the_vp(account_in, people):
    account = account_in(Color.RED, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    recipients = selectors.notification_recipients(account=account, color=Color.RED)
    assert sorted(r.user.username for r in recipients) == ["asm", "director", "rd", "rtm", "sa", "sal", "vp"]


def test_public_sector_goes_to_the_director_of_customer_success_public_sector(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, public_sector=True, sal=people.sal)
    names = sorted(r.user.username for r in selectors.notification_recipients(account=account, color=Color.YELLOW))
    assert names == ["ps-director", "rtm", "sal"]


def test_regional_roles_follow_the_account_region(account_in, people):
    account = account_in(Color.RED, region=Region.APAC)
    names = sorted(r.user.username for r in selectors.notification_recipients(account=account, color=Color.RED))
    assert names == ["director", "rtm-apac", "vp"]  # no EMEA ASM or RD holds APAC


def test_one_person_in_two_roles_is_told_once_with_both_roles(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.rtm)
    [recipient] = [
        r for r in selectors.notification_recipients(account=account, color=Color.YELLOW) if r.user == people.rtm
    ]
    assert recipient.roles == ["SAL / AE", "Regional TAM Manager (EMEA)"]


def test_inactive_people_and_green_are_not_told(account_in, people):
    people.director.is_active = False
    people.director.save()
    account = account_in(Color.YELLOW, region=Region.EMEA)
    assert [r.user.username for r in selectors.notification_recipients(account=account, color=Color.YELLOW)] == ["rtm"]
    assert selectors.notification_recipients(account=account, color=Color.GREEN) == []


# --- Outbox and notifications -------------------------------------------------------------


def test_a_color_change_writes_an_outbox_row_in_its_transaction(account_in):
    account = account_in(Color.GREEN)
    change_color(account, Color.YELLOW)
    change = HealthChange.objects.get(account=account, new_color=Color.YELLOW)
    assert (change.old_color, change.processed_at) == (Color.GREEN, None)


def test_green_to_yellow_notifies_each_person_once_by_email_and_in_app(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    change_color(account, Color.YELLOW)
    result = jobs.outbox_drain()
    assert (result.changes, result.notifications, result.emails_sent) == (1, 4, 4)
    assert usernames(Notification.objects.all()) == ["director", "rtm", "sa", "sal"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "director@example.com",
        "rtm@example.com",
        "sa@example.com",
        "sal@example.com",
    ]
    assert all(n.email_status == EmailStatus.SENT and n.emailed_at for n in Notification.objects.all())
    assert selectors.unread_count(people.sal) == 1


def test_yellow_to_red_notifies_the_red_list(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    jobs.outbox_drain()
    assert usernames(Notification.objects.all()) == ["asm", "director", "rd", "rtm", "sal", "vp"]


def test_nothing_is_repeated_while_the_color_stays_the_same(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    jobs.outbox_drain()
    sent = len(mail.outbox)
    change_color(account, Color.RED)  # the TAM confirms: same color
    scoring.scores_recompute(as_of=fixed_today)  # the daily rescore
    scoring.scores_recompute(as_of=fixed_today + dt.timedelta(days=1))
    jobs.outbox_drain(today=fixed_today + dt.timedelta(days=1))
    assert len(mail.outbox) == sent == Notification.objects.count()


def test_flipping_back_and_forth_in_a_day_tells_nobody_twice(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    jobs.outbox_drain()
    change_color(account, Color.GREEN)
    change_color(account, Color.RED)  # same day, same change as the first: one outbox row
    jobs.outbox_drain()
    assert HealthChange.objects.filter(account=account, new_color=Color.RED, old_color=Color.GREEN).count() == 1
    assert Notification.objects.filter(recipient=people.sal).count() == 1


def test_improving_to_green_tells_no_one(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.GREEN)
    jobs.outbox_drain()
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_first_score_and_old_history_tell_no_one(people, fixed_today):
    account = AccountFactory(region=Region.EMEA, sal=people.sal)
    HealthChange.objects.create(account=account, old_color="", new_color=Color.RED, as_of=fixed_today)
    Account.objects.filter(pk=account.pk).update(health_color=Color.RED)
    HealthChange.objects.create(
        account=account, old_color=Color.GREEN, new_color=Color.RED, as_of=fixed_today - dt.timedelta(days=8)
    )
    result = jobs.outbox_drain(today=fixed_today)
    assert result.changes == 2 and Notification.objects.count() == 0
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_a_first_scoring_is_settled_in_a_fixed_number_of_queries(people, fixed_today, django_assert_num_queries):
    def first_scores(n):
        accounts = AccountFactory.create_batch(n, region=Region.EMEA, sal=people.sal)
        for account in accounts:
            SentimentFactory(account=account, color=Color.RED, date=fixed_today)
        scoring.scores_recompute(as_of=fixed_today, accounts=Account.objects.filter(pk__in=[a.pk for a in accounts]))

    first_scores(3)
    with django_assert_num_queries(5) as few:  # count, settle, pending ids, count, pending emails
        assert jobs.outbox_drain(today=fixed_today).changes == 3
    first_scores(30)
    with django_assert_num_queries(len(few)):
        assert jobs.outbox_drain(today=fixed_today).changes == 30
    assert Notification.objects.count() == 0
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_a_change_no_longer_current_tells_no_one(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    change_color(account, Color.GREEN)  # back before the drain ran
    jobs.outbox_drain()
    assert Notification.objects.count() == 0


@override_settings(SITE_URL="https://healthscore.example.com")
def test_the_email_links_to_the_account_and_carries_no_note_text(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Acme Corp")
    MeetingFactory(account=account, date=fixed_today, summary="SECRET meeting summary: CFO wants out")
    account_services.sentiment_update(
        account=account, color=Color.RED, reason="SECRET sentiment reason from the call", by=account.tam
    )
    jobs.outbox_drain()
    message = next(m for m in mail.outbox if m.to == ["sal@example.com"])
    assert message.subject == "[Healthscore] Acme Corp is now red (was green)"
    assert f"https://healthscore.example.com/accounts/{account.external_id}/" in message.body
    assert "You are told as: SAL / AE." in message.body
    assert "SECRET" not in message.subject + message.body


def test_a_person_without_an_email_address_gets_the_in_app_item_only(account_in, people):
    people.sal.email = ""
    people.sal.save()
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.YELLOW)
    jobs.outbox_drain()
    notification = Notification.objects.get(recipient=people.sal)
    assert notification.email_status == EmailStatus.NO_ADDRESS
    assert "sal@example.com" not in [m.to[0] for m in mail.outbox]


def test_a_failed_email_is_retried_on_the_next_run_then_given_up(account_in, people, monkeypatch):
    account = account_in(Color.GREEN, region=Region.EMEA)
    change_color(account, Color.YELLOW)

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    original = mail.backends.locmem.EmailBackend.send_messages
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", refuse)
    result = jobs.outbox_drain()
    assert (result.notifications, result.emails_sent, result.emails_failed) == (2, 0, 2)
    notification = Notification.objects.get(recipient=people.rtm)
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, 1)
    assert "mail server down" in notification.email_error
    for _ in range(jobs.EMAIL_MAX_ATTEMPTS - 1):
        jobs.outbox_drain()
    assert Notification.objects.get(recipient=people.rtm).email_status == EmailStatus.FAILED
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", original)
    jobs.outbox_drain()
    assert mail.outbox == []  # given up: an admin sets it back to pending to retry


def test_a_change_is_processed_once_even_when_drained_twice(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    first = jobs.outbox_drain()
    second = jobs.outbox_drain()
    assert (first.changes, second.changes, second.notifications, second.emails_sent) == (1, 0, 0, 0)


# --- Triage -------------------------------------------------------------------------------


def test_red_gets_a_triage_record_automatically_with_the_handbook_labels(account_in, fixed_today):
    account = account_in(Color.RED, region=Region.LATAM)
    result = jobs.triage_run(as_of=fixed_today)
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
    jobs.triage_run(as_of=fixed_today)
    assert TriageRecord.objects.get().region == "Commercial"


def test_red_with_an_open_record_gets_no_second_one(account_in, fixed_today):
    account = account_in(Color.RED)
    TriageRecordFactory(account=account, risk=Risk.RED)
    jobs.triage_run(as_of=fixed_today)
    assert TriageRecord.objects.filter(account=account).count() == 1


def test_a_record_closed_during_this_red_spell_is_not_reopened(account_in, fixed_today):
    account = account_in(Color.GREEN)
    change_color(account, Color.RED)
    jobs.triage_run(as_of=fixed_today)
    record = TriageRecord.objects.get(account=account)
    services.triage_close(
        triage=record,
        by=account.tam,
        classification="U&U",
        risk_reasons=["risk::competition"],
        resolution="Customer chose a competitor; nothing left to do.",
    )
    jobs.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    assert TriageRecord.objects.filter(account=account).count() == 1


def test_a_new_red_spell_opens_a_new_record(account_in, fixed_today, monkeypatch):
    account = account_in(Color.RED)
    jobs.triage_run(as_of=fixed_today)
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
    jobs.triage_run(as_of=later)
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
    jobs.triage_run(as_of=fixed_today)
    assert not TriageRecord.objects.filter(account=account, status=TriageStatus.OPEN).exists()


def test_yellow_gets_a_decide_on_triage_cta_for_its_tam(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account)
    assert (cta.kind, cta.state, cta.opened_on) == (CtaKind.DECIDE_TRIAGE, CtaState.OPEN, fixed_today)
    assert "yellow since" in cta.detail
    assert not TriageRecord.objects.exists()


def test_a_dismissed_decision_stays_dismissed_while_the_account_stays_yellow(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    services.cta_dismiss(cta=Cta.objects.get(account=account), by=account.tam, reason="A known bug, fixed soon")
    change_color(account, Color.YELLOW)  # confirmed, still yellow
    jobs.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    assert list(Cta.objects.values_list("state", flat=True)) == [CtaState.DISMISSED]


def test_yellow_again_after_green_asks_again(account_in, fixed_today, monkeypatch):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    services.cta_dismiss(cta=Cta.objects.get(account=account), by=account.tam, reason="Fine")
    later = fixed_today + dt.timedelta(days=3)
    monkeypatch.setattr("healthscore.clock.today", lambda: later)
    change_color(account, Color.GREEN)
    change_color(account, Color.YELLOW)
    jobs.triage_run(as_of=later)
    assert Cta.objects.filter(account=account, state=CtaState.OPEN, kind=CtaKind.DECIDE_TRIAGE).count() == 1


def test_the_decide_cta_closes_itself_when_the_account_turns_red(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    change_color(account, Color.RED)
    jobs.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account)
    assert cta.state == CtaState.DONE and cta.resolved_by is None
    assert TriageRecord.objects.get(account=account).risk == Risk.RED


def test_back_to_green_with_an_open_triage_asks_to_close_it(account_in, fixed_today):
    account = account_in(Color.RED)
    jobs.triage_run(as_of=fixed_today)
    change_color(account, Color.GREEN)
    jobs.triage_run(as_of=fixed_today)
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
    result = jobs.triage_run(as_of=fixed_today)
    record.refresh_from_db()
    assert (record.risk, result.risks_synced) == (Risk.RED, 1)
    update = record.updates.get()
    assert update.kind == TriageUpdateKind.RISK and "HS::Yellow → HS::Red" in update.text
    assert jobs.triage_run(as_of=fixed_today).risks_synced == 0


def test_the_outbox_drain_updates_triage_at_once(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA)
    record = TriageRecordFactory(account=account, risk=Risk.YELLOW)
    change_color(account, Color.RED)
    jobs.outbox_drain()
    record.refresh_from_db()
    assert record.risk == Risk.RED


def test_snoozed_ctas_come_back_on_their_date(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    cta = services.cta_snooze(
        cta=Cta.objects.get(account=account), by=account.tam, until=fixed_today + dt.timedelta(days=2)
    )
    jobs.triage_run(as_of=fixed_today + dt.timedelta(days=1))
    cta.refresh_from_db()
    assert cta.state == CtaState.SNOOZED
    jobs.triage_run(as_of=fixed_today + dt.timedelta(days=2))
    cta.refresh_from_db()
    assert (cta.state, cta.snoozed_until) == (CtaState.OPEN, None)


def test_triage_queries_do_not_grow_with_accounts(account_in, fixed_today, django_assert_max_num_queries):
    for color in (Color.RED, Color.YELLOW, Color.GREEN):
        account_in(color)
    jobs.triage_run(as_of=fixed_today)
    for color in (Color.RED, Color.YELLOW, Color.GREEN) * 10:
        account_in(color)
    with django_assert_max_num_queries(20):
        jobs.triage_run(as_of=fixed_today)


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
    jobs.ctas_health_open(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.UPDATE_HEALTH).exists() is stale


def test_update_health_cta_closes_itself_when_the_tam_confirms(account_in, fixed_today):
    account = account_in(Color.GREEN)
    Account.objects.filter(pk=account.pk).update(health_date=fixed_today - dt.timedelta(days=40))
    jobs.ctas_health_open(as_of=fixed_today)
    cta = Cta.objects.get(account=account, kind=CtaKind.UPDATE_HEALTH)
    assert "more than a month old" in cta.detail
    account.refresh_from_db()
    account_services.health_confirm(account=account, by=account.tam)
    cta.refresh_from_db()
    assert (cta.state, cta.resolution, cta.resolved_by) == (CtaState.DONE, "Health updated or confirmed", None)


def test_update_health_cta_closes_itself_when_the_tam_updates_the_sentiment(account_in, fixed_today):
    account = account_in(Color.GREEN)
    Account.objects.filter(pk=account.pk).update(health_date=None)
    jobs.ctas_health_open(as_of=fixed_today)
    account.refresh_from_db()
    change_color(account, Color.YELLOW)
    assert Cta.objects.get(kind=CtaKind.UPDATE_HEALTH).state == CtaState.DONE


def test_a_done_update_health_cta_is_not_reopened_for_the_same_date(tam, fixed_today):
    account = AccountFactory(tam=tam, health_date=fixed_today - dt.timedelta(days=60))
    jobs.ctas_health_open(as_of=fixed_today)
    services.cta_done(cta=Cta.objects.get(), by=tam)
    jobs.ctas_health_open(as_of=fixed_today + dt.timedelta(days=1))
    assert Cta.objects.filter(account=account).count() == 1


def test_a_done_update_health_cta_comes_back_a_period_later_while_nothing_is_updated(tam, fixed_today):
    enterprise = AccountFactory(tam=tam, segment=Segment.ENTERPRISE, health_date=fixed_today - dt.timedelta(days=60))
    commercial = AccountFactory(tam=tam, segment=Segment.COMMERCIAL, health_date=fixed_today - dt.timedelta(days=100))
    jobs.ctas_health_open(as_of=fixed_today)
    for cta in Cta.objects.all():
        services.cta_done(cta=cta, by=tam)
    jobs.ctas_health_open(as_of=fixed_today + dt.timedelta(days=40))  # a month on: Enterprise again
    assert Cta.objects.filter(account=enterprise, state=CtaState.OPEN).count() == 1
    assert not Cta.objects.filter(account=commercial, state=CtaState.OPEN).exists()
    jobs.ctas_health_open(as_of=fixed_today + dt.timedelta(days=100))  # a quarter on: Commercial too
    assert Cta.objects.filter(account=commercial, state=CtaState.OPEN).count() == 1


def test_accounts_without_a_tam_get_no_ctas(fixed_today):
    AccountFactory(tam=None, health_date=None)
    jobs.ctas_health_open(as_of=fixed_today)
    jobs.ctas_cadence_open(as_of=fixed_today)
    assert not Cta.objects.exists()


# --- Cadence CTAs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "onboarding,days_ago,missed",
    [(True, 7, False), (True, 8, True), (False, 30, False), (False, 31, True)],
)
def test_cadence_is_weekly_while_onboarding_and_monthly_otherwise(tam, fixed_today, onboarding, days_ago, missed):
    account = AccountFactory(tam=tam, onboarding=onboarding)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=days_ago), kind=MeetingKind.CADENCE)
    jobs.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.MISSED_CADENCE).exists() is missed


def test_only_held_cadence_calls_count(tam, fixed_today):
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=2), status=MeetingStatus.CANCELLED)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=3), kind=MeetingKind.EBR)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45), kind=MeetingKind.CADENCE)
    jobs.ctas_cadence_open(as_of=fixed_today)
    cta = Cta.objects.get(kind=CtaKind.MISSED_CADENCE)
    assert cta.key == f"{fixed_today - dt.timedelta(days=45)}/1"  # the call, and one monthly window missed
    assert "last: 2026-10-10" in cta.detail


def test_the_cadence_cta_closes_once_a_call_is_held(tam, fixed_today):
    account = AccountFactory(tam=tam)
    jobs.ctas_cadence_open(as_of=fixed_today)
    assert Cta.objects.get().key.startswith("never/")
    MeetingFactory(account=account, date=fixed_today, kind=MeetingKind.CADENCE)
    result = jobs.ctas_cadence_open(as_of=fixed_today)
    assert (result.resolved, Cta.objects.get().state) == (1, CtaState.DONE)


def test_a_done_cadence_cta_comes_back_when_the_next_window_is_missed_too(tam, fixed_today):
    account = AccountFactory(tam=tam, onboarding=True)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=8), kind=MeetingKind.CADENCE)
    jobs.ctas_cadence_open(as_of=fixed_today)
    services.cta_done(cta=Cta.objects.get(), by=tam)
    jobs.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=3))  # same weekly window: nothing new
    assert not Cta.objects.filter(state=CtaState.OPEN).exists()
    jobs.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=7))  # another week without a call
    assert Cta.objects.filter(account=account, state=CtaState.OPEN).count() == 1


def test_a_decide_on_triage_cta_cannot_just_be_marked_done(account_in, fixed_today):
    account = account_in(Color.YELLOW)
    jobs.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account, kind=CtaKind.DECIDE_TRIAGE)
    with pytest.raises(ValidationError, match="open a triage record, or dismiss"):
        services.cta_done(cta=cta, by=account.tam)
    cta.refresh_from_db()
    assert cta.state == CtaState.OPEN


# --- The whole pipeline -------------------------------------------------------------------


def test_daily_run_does_every_step_in_order(tam, people, fixed_today):
    new = AccountFactory(tam=tam, region=Region.EMEA, sal=people.sal)
    stale = AccountFactory(tam=tam, health_color=Color.RED, health_date=fixed_today - dt.timedelta(days=40))
    green = healthy_account(today=fixed_today - dt.timedelta(days=1), tam=tam, region=Region.EMEA, sal=people.sal)
    SentimentFactory(account=green, color=Color.RED, date=fixed_today, author=tam)  # scored red tonight
    summaries = jobs.daily_run(as_of=fixed_today)
    assert [line.split(":")[0] for line in summaries] == [
        "Scores",
        "Triage",
        "Notifications",
        "Out-of-date health",
        "Cadence",
    ]
    assert TriageRecord.objects.filter(account=green, risk=Risk.RED).exists()
    assert Notification.objects.filter(account=green).count() == 6  # sal, rtm, director, asm, rd, vp
    assert Cta.objects.filter(account=new, kind=CtaKind.MISSED_CADENCE).exists()
    assert Cta.objects.filter(account=stale, kind=CtaKind.UPDATE_HEALTH).exists()


def test_running_every_job_twice_creates_and_sends_nothing_twice(tam, people, fixed_today):
    world_build(tam, people, fixed_today)
    jobs.daily_run(as_of=fixed_today)
    first, sent = world_state(), len(mail.outbox)
    jobs.daily_run(as_of=fixed_today)
    jobs.outbox_drain(today=fixed_today)
    jobs.triage_run(as_of=fixed_today)
    jobs.ctas_health_open(as_of=fixed_today)
    jobs.ctas_cadence_open(as_of=fixed_today)
    assert world_state() == first and len(mail.outbox) == sent
    assert first["notifications"] and first["triage"] and first["ctas"]


def test_a_second_run_starting_half_way_through_the_first_changes_nothing(tam, people, fixed_today, monkeypatch):
    world_build(tam, people, fixed_today)
    original = jobs.ctas_health_open
    interleaved = []

    def health_ctas_with_a_second_run_in_between(**kwargs):
        if not interleaved:
            interleaved.append(True)
            jobs.daily_run(as_of=fixed_today)  # the other run starts and completes here
        return original(**kwargs)

    monkeypatch.setattr(jobs, "ctas_health_open", health_ctas_with_a_second_run_in_between)
    monkeypatch.setattr(jobs, "DAILY_STEPS", _steps_with(health_ctas_with_a_second_run_in_between))
    jobs.daily_run(as_of=fixed_today)
    state, sent = world_state(), sorted(m.to[0] for m in mail.outbox)
    monkeypatch.setattr(jobs, "ctas_health_open", original)
    monkeypatch.setattr(jobs, "DAILY_STEPS", _steps_with(original))
    clean_state, clean_sent = clean_run(tam, people, fixed_today)
    assert state == clean_state and sent == clean_sent


def _steps_with(health_step):
    return tuple(
        jobs.Step(step.name, health_step, step.total) if step.name == "Health CTAs" else step
        for step in jobs.DAILY_STEPS
    )


@pytest.mark.parametrize(
    "target,nth",
    [
        ("triage.jobs._triage_ctas", 2),  # triage, between two accounts
        ("triage.selectors.notification_recipients", 2),  # the outbox, between two changes
        ("triage.jobs.notification_email", 3),  # emails, after two were sent
        ("triage.jobs._cadence_detail", 1),  # the last step
    ],
)
def test_a_run_killed_half_way_is_completed_by_the_next_run(tam, people, fixed_today, monkeypatch, target, nth):
    world_build(tam, people, fixed_today)
    monkeypatch.setattr(jobs, "CHUNK", 1)  # commit account by account, like a long run
    module, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module), name)
    calls = []

    def dies_on_the_nth_call(*args, **kwargs):
        calls.append(1)
        if len(calls) == nth:
            raise SystemExit("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, dies_on_the_nth_call)
    with pytest.raises(SystemExit):
        jobs.daily_run(as_of=fixed_today)
    monkeypatch.setattr(target, original)
    jobs.daily_run(as_of=fixed_today)
    state, sent = world_state(), sorted((m.to[0], m.subject) for m in mail.outbox)
    clean_state, clean_sent = clean_run(tam, people, fixed_today, sent_key=lambda m: (m.to[0], m.subject))
    for key in state:
        assert state[key] == clean_state[key], key
    assert sent == clean_sent


# --- A small world for the idempotency tests ----------------------------------------------


def world_build(tam, people, today):
    """Accounts that go red, yellow, green-with-triage, stale and missing cadence tonight."""
    yesterday = today - dt.timedelta(days=1)
    made = {}
    for name, before, after in [
        ("to-red", Color.GREEN, Color.RED),
        ("to-yellow", Color.GREEN, Color.YELLOW),
        ("yellow-to-red", Color.YELLOW, Color.RED),
        ("to-green", Color.RED, Color.GREEN),
        ("stays-green", Color.GREEN, Color.GREEN),
    ]:
        account = healthy_account(
            today=yesterday,
            sentiment=before,
            tam=tam,
            external_id=f"W-{name}",
            name=f"World {name}",
            region=Region.EMEA,
            sal=people.sal,
            solutions_architect=people.sa,
        )
        SentimentFactory(account=account, color=after, date=today, author=tam)
        made[name] = account
    jobs.outbox_drain(today=yesterday)
    jobs.triage_run(as_of=yesterday)  # to-green and yellow-to-red have an open record or CTA
    # A new account with no data: scored red tonight for the first time (no one is told).
    AccountFactory(tam=tam, external_id="W-new", name="World new", health_date=None)
    Account.objects.filter(external_id="W-stays-green").update(health_date=today - dt.timedelta(days=50))
    mail.outbox.clear()
    return made


def world_state() -> dict:
    """Everything the jobs write, without ids or timestamps."""
    return {
        "triage": sorted(
            TriageRecord.objects.values_list("account__external_id", "status", "origin", "risk", "region", "opened_on")
        ),
        "ctas": sorted(
            (account, kind, re.sub(r"^\d+:", "<triage>:", key), state, resolution, opened_on)
            for account, kind, key, state, resolution, opened_on in Cta.objects.values_list(
                "account__external_id", "kind", "key", "state", "resolution", "opened_on"
            )
        ),
        "notifications": sorted(
            Notification.objects.values_list(
                "account__external_id", "recipient__username", "new_color", "roles", "email_status"
            )
        ),
        "changes": sorted(
            HealthChange.objects.filter(processed_at__isnull=False).values_list(
                "account__external_id", "old_color", "new_color", "as_of"
            )
        ),
        "pending_changes": HealthChange.objects.filter(processed_at__isnull=True).count(),
        "accounts": sorted(Account.objects.values_list("external_id", "health_color", "health_date")),
        "log": sorted(
            TriageRecord.objects.filter(updates__isnull=False).values_list("account__external_id", "updates__text")
        ),
    }


def clean_run(tam, people, today, sent_key=lambda m: m.to[0]):
    """The same world from scratch, run once without interruption."""
    Account.objects.all().delete()
    mail.outbox.clear()
    world_build(tam, people, today)
    jobs.daily_run(as_of=today)
    return world_state(), sorted(sent_key(m) for m in mail.outbox)


def test_world_state_sees_everything(tam, people, fixed_today):
    """The idempotency tests compare world_state(): make sure it is not trivially empty."""
    world_build(tam, people, fixed_today)
    jobs.daily_run(as_of=fixed_today)
    state = world_state()
    kinds = {kind for _, kind, *_ in state["ctas"]}
    assert kinds == {CtaKind.DECIDE_TRIAGE, CtaKind.CLOSE_TRIAGE, CtaKind.UPDATE_HEALTH, CtaKind.MISSED_CADENCE}
    assert {account for account, *_ in state["triage"]} == {"W-to-red", "W-yellow-to-red", "W-to-green", "W-new"}
    assert len(state["notifications"]) == 4 + 7 + 7  # yellow: sal sa rtm director; red: + asm rd vp
    assert state["pending_changes"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_create_and_send_nothing_twice(tam, people, fixed_today):
    """Two workers run every job at the same moment, each on its own database connection."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent run needs PostgreSQL")
    world_build(tam, people, fixed_today)
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait(timeout=10)
            jobs.daily_run(as_of=fixed_today)
        except BaseException as exc:  # reported below: a thread's exception would be lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    state, sent = world_state(), sorted((m.to[0], m.subject) for m in mail.outbox)
    clean_state, clean_sent = clean_run(tam, people, fixed_today, sent_key=lambda m: (m.to[0], m.subject))
    for key in state:
        assert state[key] == clean_state[key], key
    assert sent == clean_sent and len(sent) == 18


# --- One failure does not stop the rest -----------------------------------------------------


def test_a_name_with_a_line_break_still_gets_a_one_line_subject(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    Account.objects.filter(pk=account.pk).update(name="Acme\nCorp")
    account.refresh_from_db()
    change_color(account, Color.RED)
    jobs.outbox_drain()
    assert mail.outbox and all("\n" not in m.subject for m in mail.outbox)
    assert mail.outbox[0].subject == "[Healthscore] Acme Corp is now red (was green)"


def test_an_email_that_cannot_be_built_fails_alone_and_the_queue_goes_on(account_in, people, monkeypatch):
    broken = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Broken Co")
    fine = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Fine Co")
    change_color(broken, Color.RED)
    change_color(fine, Color.RED)
    real = jobs.notification_email

    def build(notification):
        if notification.account.name == "Broken Co":
            raise ValueError("cannot build this one")
        return real(notification)

    monkeypatch.setattr(jobs, "notification_email", build)
    for _ in range(jobs.EMAIL_MAX_ATTEMPTS):
        jobs.outbox_drain()
    assert len(mail.outbox) == 6 and all("Fine Co" in m.subject for m in mail.outbox)
    stuck = Notification.objects.filter(account=broken)
    assert stuck.count() == 6 and set(stuck.values_list("email_status", flat=True)) == {EmailStatus.FAILED}
    assert "ValueError: cannot build this one" in stuck.first().email_error


def test_a_failing_step_does_not_cost_the_other_steps_their_day(tam, fixed_today, monkeypatch):
    AccountFactory(tam=tam)  # never had a cadence call: the last step owes it a CTA

    def mail_server_on_fire(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(jobs, "outbox_drain", mail_server_on_fire)
    with pytest.raises(jobs.DailyRunError, match="Notifications failed"):
        jobs.daily_run(as_of=fixed_today)
    assert Cta.objects.filter(kind=CtaKind.MISSED_CADENCE).count() == 1  # the steps after it ran
