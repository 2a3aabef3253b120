"""The TAM's actions on triage records and CTAs, and the rules the database holds."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Color, Region
from accounts.tests.factories import AccountFactory
from triage import services
from triage.models import (
    CtaKind,
    CtaState,
    Risk,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdateKind,
)
from triage.tests.factories import CtaFactory, TriageRecordFactory

pytestmark = pytest.mark.django_db

CLOSE_OK = {
    "classification": "U&A",
    "risk_reasons": ["risk::product experience"],
    "resolution": "Upgrade fixed it.",
}


# --- Database rules -----------------------------------------------------------------------


def test_at_most_one_open_triage_per_account(account_in):
    account = account_in(Color.RED)
    TriageRecordFactory(account=account)
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageRecordFactory(account=account)


def test_closed_records_do_not_count_against_the_open_one(account_in, fixed_today):
    account = account_in(Color.RED)
    TriageRecordFactory(
        account=account, status=TriageStatus.CLOSED, classification="E&A", resolution="done", closed_on=fixed_today
    )
    TriageRecordFactory(account=account)
    assert TriageRecord.objects.filter(account=account).count() == 2


def test_the_database_refuses_a_closed_record_without_classification_or_resolution(account_in, fixed_today):
    with pytest.raises(IntegrityError), transaction.atomic():
        TriageRecordFactory(account=account_in(Color.RED), status=TriageStatus.CLOSED, closed_on=fixed_today)


def test_at_most_one_open_cta_per_account_and_kind(account_in):
    account = account_in(Color.YELLOW)
    CtaFactory(account=account, kind=CtaKind.MISSED_CADENCE)
    CtaFactory(account=account, kind=CtaKind.UPDATE_HEALTH)  # another kind is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        CtaFactory(account=account, kind=CtaKind.MISSED_CADENCE, state=CtaState.SNOOZED, snoozed_until=dt.date.today())
    CtaFactory(account=account, kind=CtaKind.MISSED_CADENCE, state=CtaState.DONE)  # closed ones are history


# --- Triage records -----------------------------------------------------------------------


def test_open_a_record_by_hand_labels_it_from_the_account(account_in, tam, fixed_today):
    account = account_in(Color.YELLOW, region=Region.US_EAST)
    record = services.triage_open(account=account, by=tam)
    assert (record.risk, record.region, record.owner, record.opened_by, record.origin, record.opened_on) == (
        Risk.YELLOW,
        "US-EAST",
        tam,
        tam,
        TriageOrigin.MANUAL,
        fixed_today,
    )


def test_a_second_open_record_is_refused_with_a_message(account_in, tam):
    account = account_in(Color.YELLOW)
    services.triage_open(account=account, by=tam)
    with pytest.raises(ValidationError, match="already has an open triage record"):
        services.triage_open(account=account, by=tam)


def test_an_unscored_account_cannot_be_triaged(tam):
    with pytest.raises(ValidationError, match="no health score yet"):
        services.triage_open(account=AccountFactory(tam=tam), by=tam)


def test_edit_labels_and_plan_logs_what_changed(account_in, tam):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    services.triage_edit(
        triage=record,
        by=tam,
        classification="E&A",
        risk_reasons=["risk::competition", "risk::lack of adoption", "risk::competition"],
        plan="Weekly calls",
    )
    record.refresh_from_db()
    assert record.classification == "E&A"
    assert record.risk_reasons == ["risk::lack of adoption", "risk::competition"]  # handbook order, once each
    update = record.updates.get()
    assert update.kind == TriageUpdateKind.EDIT and update.author == tam
    assert "Classification none → E&A" in update.text and "plan updated" in update.text


def test_unknown_labels_are_refused(account_in, tam):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    with pytest.raises(ValidationError) as error:
        services.triage_edit(triage=record, by=tam, classification="X&Y", risk_reasons=[], plan="")
    assert "classification" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.triage_edit(triage=record, by=tam, classification="", risk_reasons=["risk::weather"], plan="")
    assert "risk_reasons" in error.value.message_dict


def test_updates_go_to_the_log_in_order(account_in, tam):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    services.triage_note_add(triage=record, by=tam, text="Called the sponsor")
    services.triage_note_add(triage=record, by=tam, text="  EBR booked  ")
    assert list(record.updates.values_list("text", flat=True)) == ["Called the sponsor", "EBR booked"]
    with pytest.raises(ValidationError) as error:
        services.triage_note_add(triage=record, by=tam, text="   ")
    assert "text" in error.value.message_dict


@pytest.mark.parametrize(
    "missing,field",
    [("classification", "classification"), ("risk_reasons", "risk_reasons"), ("resolution", "resolution")],
)
def test_closing_needs_classification_a_risk_reason_and_a_resolution(account_in, tam, missing, field):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    data = {**CLOSE_OK, missing: [] if missing == "risk_reasons" else "  "}
    with pytest.raises(ValidationError) as error:
        services.triage_close(triage=record, by=tam, **data)
    assert list(error.value.message_dict) == [field]
    record.refresh_from_db()
    assert record.status == TriageStatus.OPEN


def test_closing_with_nothing_lists_every_missing_field(account_in, tam):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    with pytest.raises(ValidationError) as error:
        services.triage_close(triage=record, by=tam, classification="", risk_reasons=[], resolution="")
    assert sorted(error.value.message_dict) == ["classification", "resolution", "risk_reasons"]


def test_close_records_labels_resolution_and_who(account_in, tam, fixed_today):
    record = services.triage_open(account=account_in(Color.RED), by=tam)
    services.triage_close(triage=record, by=tam, **CLOSE_OK)
    record.refresh_from_db()
    assert (record.status, record.closed_on, record.closed_by, record.resolution) == (
        TriageStatus.CLOSED,
        fixed_today,
        tam,
        "Upgrade fixed it.",
    )
    assert record.updates.get().kind == TriageUpdateKind.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        services.triage_close(triage=record, by=tam, **CLOSE_OK)
    with pytest.raises(ValidationError, match="closed"):
        services.triage_note_add(triage=record, by=tam, text="late note")


# --- CTAs ---------------------------------------------------------------------------------


def test_one_click_on_decide_opens_a_triage_record(account_in, tam):
    account = account_in(Color.YELLOW)
    cta = CtaFactory(account=account)
    record = services.cta_triage_open(cta=cta, by=tam)
    cta.refresh_from_db()
    assert (record.origin, record.risk, record.opened_by) == (TriageOrigin.CTA, Risk.YELLOW, tam)
    assert (cta.state, cta.triage, cta.resolved_by, cta.resolution) == (CtaState.DONE, record, tam, "Triage opened")


def test_decide_on_an_account_already_in_triage_links_the_open_record(account_in, tam):
    account = account_in(Color.YELLOW)
    existing = TriageRecordFactory(account=account)
    cta = CtaFactory(account=account)
    assert services.cta_triage_open(cta=cta, by=tam) == existing
    assert TriageRecord.objects.count() == 1


def test_opening_a_record_by_hand_closes_the_decide_cta(account_in, tam):
    account = account_in(Color.YELLOW)
    cta = CtaFactory(account=account)
    services.triage_open(account=account, by=tam)
    cta.refresh_from_db()
    assert cta.state == CtaState.DONE and cta.triage is not None


def test_dismiss_needs_a_reason_and_only_decide_ctas_are_dismissed(account_in, tam):
    account = account_in(Color.YELLOW)
    cta = CtaFactory(account=account)
    with pytest.raises(ValidationError) as error:
        services.cta_dismiss(cta=cta, by=tam, reason=" ")
    assert "reason" in error.value.message_dict
    services.cta_dismiss(cta=cta, by=tam, reason="Known bug, fix in next release")
    cta.refresh_from_db()
    assert (cta.state, cta.dismiss_reason) == (CtaState.DISMISSED, "Known bug, fix in next release")
    other = CtaFactory(account=account, kind=CtaKind.MISSED_CADENCE)
    with pytest.raises(ValidationError, match="Only a Decide on triage CTA is dismissed"):
        services.cta_dismiss(cta=other, by=tam, reason="no")


def test_snooze_until_a_later_date(account_in, tam, fixed_today):
    cta = CtaFactory(account=account_in(Color.YELLOW))
    for bad, message in [
        (None, "Choose the date"),
        (fixed_today, "after today"),
        (fixed_today + dt.timedelta(days=400), "a year at most"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.cta_snooze(cta=cta, by=tam, until=bad)
    services.cta_snooze(cta=cta, by=tam, until=fixed_today + dt.timedelta(days=7))
    cta.refresh_from_db()
    assert (cta.state, cta.snoozed_until) == (CtaState.SNOOZED, dt.date(2026, 12, 1))


def test_done_and_acting_on_a_closed_cta(account_in, tam, fixed_today):
    cta = CtaFactory(account=account_in(Color.YELLOW), kind=CtaKind.UPDATE_HEALTH)
    services.cta_done(cta=cta, by=tam)
    cta.refresh_from_db()
    assert (cta.state, cta.resolved_on, cta.resolved_by) == (CtaState.DONE, fixed_today, tam)
    with pytest.raises(ValidationError, match="already done"):
        services.cta_done(cta=cta, by=tam)
    with pytest.raises(ValidationError, match="already done"):
        services.cta_snooze(cta=cta, by=tam, until=fixed_today + dt.timedelta(days=3))
