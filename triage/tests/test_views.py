"""Cockpit and triage record pages; the account page panel."""

import datetime as dt

import pytest

from accounts.models import Color
from accounts.tests.factories import AccountFactory
from triage.jobs import ctas, triage_run
from triage.models import Cta, CtaKind, CtaState, TriageRecord, TriageStatus
from triage.tests.factories import CtaFactory, TriageRecordFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


# --- Cockpit ------------------------------------------------------------------------------


def test_the_cockpit_lists_the_tams_own_open_ctas(client, tam, other_tam, account_in, fixed_today):
    mine = account_in(Color.YELLOW, name="Mine Corp")
    account_in(Color.YELLOW, name="Theirs Corp", tam=other_tam)
    triage_run.triage_run(as_of=fixed_today)
    client.force_login(tam)
    page = html(client.get("/triage/"))
    assert "Mine Corp" in page and "Theirs Corp" not in page
    assert "Decide on triage" in page and "Open triage" in page and "csrfmiddlewaretoken" in page
    assert 'aria-current="page">Open <span class="muted">(1)</span>' in page
    assert Cta.objects.get(account=mine).kind == CtaKind.DECIDE_TRIAGE


def test_the_cockpit_has_open_snoozed_and_done_tabs(client, tam, account_in, fixed_today):
    account = account_in(Color.YELLOW)
    CtaFactory(account=account, kind=CtaKind.MISSED_CADENCE, detail="cadence detail")
    CtaFactory(
        account=account,
        kind=CtaKind.UPDATE_HEALTH,
        state=CtaState.SNOOZED,
        snoozed_until=fixed_today + dt.timedelta(days=3),
        detail="stale detail",
    )
    CtaFactory(account=account, state=CtaState.DISMISSED, dismiss_reason="Known bug", detail="decide detail")
    client.force_login(tam)
    assert "cadence detail" in html(client.get("/triage/?state=open"))
    snoozed = html(client.get("/triage/?state=snoozed"))
    assert "stale detail" in snoozed and "Snoozed until 2026-11-27" in snoozed
    done = html(client.get("/triage/?state=done"))
    assert "decide detail" in done and "Reason: Known bug" in done and "Mark done" not in done


def test_a_manager_sees_every_tams_ctas_read_only_and_filters_by_tam(
    client, manager, tam, other_tam, account_in, fixed_today
):
    account_in(Color.YELLOW, name="Mine Corp")
    account_in(Color.YELLOW, name="Theirs Corp", tam=other_tam)
    triage_run.triage_run(as_of=fixed_today)
    client.force_login(manager)
    page = html(client.get("/triage/"))
    assert "Mine Corp" in page and "Theirs Corp" in page and "Open triage" not in page
    filtered = html(client.get("/triage/?tam=other-tam"))
    assert "Theirs Corp" in filtered and "Mine Corp" not in filtered


def test_the_cockpit_query_count_is_fixed(client, tam, fixed_today, django_assert_max_num_queries):
    for _ in range(30):
        account = AccountFactory(tam=tam, health_color=Color.YELLOW)
        CtaFactory(account=account)
    client.force_login(tam)
    with django_assert_max_num_queries(10):
        assert client.get("/triage/").status_code == 200


def test_one_click_opens_a_triage_record_from_the_decide_cta(client, tam, account_in, fixed_today):
    account = account_in(Color.YELLOW)
    triage_run.triage_run(as_of=fixed_today)
    cta = Cta.objects.get(account=account)
    client.force_login(tam)
    response = client.post(f"/triage/ctas/{cta.pk}/open-triage/")
    record = TriageRecord.objects.get(account=account)
    assert response.status_code == 302 and response.url == f"/triage/records/{record.pk}/"
    assert "HS::Yellow" in html(client.get(response.url))


def test_dismiss_without_a_reason_shows_the_error_and_changes_nothing(client, tam, account_in):
    cta = CtaFactory(account=account_in(Color.YELLOW))
    client.force_login(tam)
    response = client.post(f"/triage/ctas/{cta.pk}/dismiss/", {"reason": "  ", "next": "/triage/"})
    assert response.status_code == 400
    assert "Say why no triage is needed." in html(response)
    assert Cta.objects.get(pk=cta.pk).state == CtaState.OPEN
    response = client.post(f"/triage/ctas/{cta.pk}/dismiss/", {"reason": "Known bug", "next": "/triage/"})
    assert response.status_code == 302 and response.url == "/triage/"
    assert Cta.objects.get(pk=cta.pk).state == CtaState.DISMISSED


def test_snooze_checks_the_date(client, tam, account_in, fixed_today):
    cta = CtaFactory(account=account_in(Color.YELLOW), kind=CtaKind.MISSED_CADENCE)
    client.force_login(tam)
    for bad, message in [("yesterday", "Enter a valid date."), (fixed_today.isoformat(), "Choose a date after today.")]:
        response = client.post(f"/triage/ctas/{cta.pk}/snooze/", {"until": bad})
        assert response.status_code == 400 and message in html(response)
    assert Cta.objects.get(pk=cta.pk).state == CtaState.OPEN
    client.post(f"/triage/ctas/{cta.pk}/snooze/", {"until": "2026-12-01"})
    assert Cta.objects.get(pk=cta.pk).snoozed_until == dt.date(2026, 12, 1)


def test_mark_done_and_an_offsite_next_is_ignored(client, tam, account_in):
    cta = CtaFactory(account=account_in(Color.YELLOW), kind=CtaKind.UPDATE_HEALTH)
    client.force_login(tam)
    response = client.post(f"/triage/ctas/{cta.pk}/done/", {"next": "https://evil.example.com/"})
    assert response.status_code == 302 and response.url == "/triage/"
    assert Cta.objects.get(pk=cta.pk).state == CtaState.DONE


def test_another_tams_cta_is_forbidden_and_unchanged(client, tam, other_tam, account_in):
    cta = CtaFactory(account=account_in(Color.YELLOW, tam=other_tam))
    client.force_login(tam)
    assert client.post(f"/triage/ctas/{cta.pk}/done/").status_code == 403
    assert client.post(f"/triage/ctas/{cta.pk}/open-triage/").status_code == 403
    assert Cta.objects.get(pk=cta.pk).state == CtaState.OPEN and not TriageRecord.objects.exists()


def test_cta_actions_are_post_only(client, tam, account_in):
    cta = CtaFactory(account=account_in(Color.YELLOW))
    client.force_login(tam)
    assert client.get(f"/triage/ctas/{cta.pk}/done/").status_code == 405


# --- Triage records -----------------------------------------------------------------------


def test_closing_without_labels_shows_field_errors_and_changes_nothing(client, tam, account_in):
    record = TriageRecordFactory(account=account_in(Color.RED))
    client.force_login(tam)
    response = client.post(f"/triage/records/{record.pk}/close/", {"resolution": ""})
    page = html(response)
    assert response.status_code == 400
    # The labels are asked in one place: their errors show on the "Plan and labels" form.
    assert 'Nothing was saved: <a href="#plan-title">' in page
    assert "Set the classification and risk reasons in" in page
    assert page.count('name="classification"') == 1
    for message in [
        "Choose a classification before closing.",
        "Choose at least one risk reason before closing.",
        "Say how the risks were resolved.",
    ]:
        assert message in page
    assert TriageRecord.objects.get(pk=record.pk).status == TriageStatus.OPEN


def test_close_with_labels_and_a_resolution(client, tam, account_in):
    record = TriageRecordFactory(account=account_in(Color.GREEN))
    client.force_login(tam)
    labels = {"classification": "E&U", "risk_reasons": ["risk::lack of budget", "risk::covid-19"], "plan": ""}
    assert client.post(f"/triage/records/{record.pk}/edit/", labels).status_code == 302
    # A classification sent with the close is not a second place to set it: the saved one counts.
    response = client.post(f"/triage/records/{record.pk}/close/", {"classification": "U&U", "resolution": "Done"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.classification, record.risk_reasons) == (
        TriageStatus.CLOSED,
        "E&U",
        ["risk::lack of budget", "risk::covid-19"],
    )
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert "Close triage" not in page and "Closed: Done" in page


def test_edit_keeps_the_choices_and_the_log_shows_updates(client, tam, account_in):
    record = TriageRecordFactory(account=account_in(Color.RED))
    client.force_login(tam)
    client.post(
        f"/triage/records/{record.pk}/edit/",
        {"classification": "U&A", "risk_reasons": ["risk::competition"], "plan": "Exec sponsor call"},
    )
    client.post(f"/triage/records/{record.pk}/updates/", {"text": "Sponsor call booked"})
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert 'value="U&amp;A" selected' in page and 'value="risk::competition" id="edit-reason-8" checked' in page
    assert "Exec sponsor call" in page and "Sponsor call booked" in page
    assert client.post(f"/triage/records/{record.pk}/updates/", {"text": ""}).status_code == 400


def test_others_read_a_record_without_forms(client, other_tam, account_in):
    record = TriageRecordFactory(account=account_in(Color.RED), plan="The plan")
    client.force_login(other_tam)
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert "The plan" in page and '<form method="post" action="/triage/records/' not in page


def test_the_record_list_shows_labels_and_filters(client, tam, other_tam, account_in, fixed_today):
    TriageRecordFactory(account=account_in(Color.RED, name="Red Corp"), risk="HS::Red", risk_reasons=["risk::covid-19"])
    TriageRecordFactory(account=account_in(Color.YELLOW, name="Other Corp", tam=other_tam))
    client.force_login(tam)
    page = html(client.get("/triage/records/"))
    assert "Red Corp" in page and "Other Corp" in page and "HS::Red" in page and "risk::covid-19" in page
    assert "Other Corp" not in html(client.get("/triage/records/?mine=1"))
    assert "No closed triage records." in html(client.get("/triage/records/?status=closed"))


def test_open_a_record_from_the_account_page(client, tam, account_in):
    account = account_in(Color.YELLOW)
    client.force_login(tam)
    response = client.post(f"/triage/accounts/{account.external_id}/open/")
    assert response.status_code == 302
    again = client.post(f"/triage/accounts/{account.external_id}/open/", follow=True)
    assert "already has an open triage record" in html(again)
    assert TriageRecord.objects.count() == 1


# --- Account page panel and navigation ----------------------------------------------------


def test_the_account_page_shows_the_open_triage_and_ctas_with_actions_for_its_tam(
    client, tam, other_tam, account_in, fixed_today
):
    account = account_in(Color.RED)
    triage_run.triage_run(as_of=fixed_today)
    ctas.ctas_health_open(as_of=fixed_today + dt.timedelta(days=40))
    client.force_login(tam)
    page = html(client.get(f"/accounts/{account.external_id}/"))
    assert "Triage and CTAs" in page and "Open triage record" in page and "HS::Red" in page
    assert "Update health score" in page and "Mark done" in page
    client.force_login(other_tam)
    page = html(client.get(f"/accounts/{account.external_id}/"))
    assert "Update health score" in page and "Mark done" not in page and "Open a triage record" not in page


def test_the_record_list_query_count_is_fixed(client, tam, django_assert_max_num_queries):
    for _ in range(30):
        TriageRecordFactory(account=AccountFactory(tam=tam, health_color=Color.RED))
    client.force_login(tam)
    with django_assert_max_num_queries(8):
        assert client.get("/triage/records/").status_code == 200
