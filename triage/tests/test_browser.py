"""The cockpit and a triage record in a real browser: phone width, keyboard only."""

import datetime as dt

import pytest

from accounts.models import Color
from accounts.tests.factories import healthy_account
from triage.jobs import ctas, triage_run
from triage.models import Cta, CtaKind, CtaState, TriageRecord, TriageStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def signed_in(page, live_server, client, tam):
    client.force_login(tam)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE)
    return page


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_from_the_cockpit_to_a_closed_triage_record_by_keyboard(signed_in, live_server, tam, fixed_today):
    page = signed_in
    account = healthy_account(today=fixed_today, sentiment=Color.YELLOW, tam=tam, name="Acme Corp")
    triage_run.triage_run(as_of=fixed_today)

    page.goto(f"{live_server.url}/triage/")
    assert page.locator(".cta-kind", has_text="Decide on triage").is_visible() and no_sideways_scroll(page)
    page.get_by_role("button", name="Open triage").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/triage/records/*/")
    assert page.get_by_text("Triage record opened for Acme Corp.").is_visible()

    close = page.locator("#close")
    close.get_by_role("button", name="Close triage").click()
    assert page.get_by_role("alert").filter(has_text="Nothing was saved").is_visible()
    assert close.get_by_text("Say how the risks were resolved.").is_visible()
    assert no_sideways_scroll(page)

    # The classification and risk reasons are asked in one place: Plan and labels.
    assert close.get_by_text("Set the classification and risk reasons in").is_visible()
    assert close.get_by_label("Classification").count() == 0
    labels = page.locator("section[aria-labelledby=plan-title]")
    labels.get_by_label("Classification").select_option("E&A")
    labels.get_by_label("risk::lack of adoption").check()
    labels.get_by_role("button", name="Save plan and labels").click()
    page.wait_for_selector("text=Triage record saved.")
    close = page.locator("#close")
    close.get_by_label("Resolution note").fill("Enablement sessions worked; usage is back up.")
    close.get_by_role("button", name="Close triage").press("Enter")
    page.wait_for_selector("text=Triage record for Acme Corp closed.")
    record = TriageRecord.objects.get(account=account)
    assert (record.status, record.classification, record.risk_reasons) == (
        TriageStatus.CLOSED,
        "E&A",
        ["risk::lack of adoption"],
    )


def test_snooze_a_cta_from_the_cockpit(signed_in, live_server, tam, fixed_today):
    page = signed_in
    healthy_account(today=fixed_today, tam=tam, name="Globex")
    Cta.objects.all().delete()
    ctas.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=40))

    page.goto(f"{live_server.url}/triage/")
    page.get_by_text("Snooze…").click()
    page.get_by_label("Snooze until").fill("2026-12-15")
    page.get_by_role("button", name="Snooze", exact=True).press("Enter")
    page.wait_for_selector("text=Snoozed the CTA for Globex.")
    cta = Cta.objects.get(kind=CtaKind.MISSED_CADENCE)
    assert (cta.state, cta.snoozed_until) == (CtaState.SNOOZED, dt.date(2026, 12, 15))
    page.get_by_role("link", name="Snoozed (1)").click()
    assert page.get_by_text("Snoozed until 2026-12-15").is_visible()


def test_bulk_snooze_in_the_cockpit(signed_in, live_server, tam, fixed_today):
    page = signed_in
    for name in ("Acme", "Globex", "Initech"):
        healthy_account(today=fixed_today, tam=tam, name=name)
    Cta.objects.all().delete()
    ctas.ctas_cadence_open(as_of=fixed_today + dt.timedelta(days=40))
    initech = Cta.objects.get(account__name="Initech")

    page.goto(f"{live_server.url}/triage/")
    # Nothing chosen: the error shows in the bulk bar, nothing changes.
    page.get_by_role("button", name="Snooze selected").click()
    assert page.locator("#bulk").get_by_role("alert").filter(has_text="Choose at least one CTA.").is_visible()
    assert no_sideways_scroll(page)

    page.get_by_label("Select Missed cadence call for Acme").check()
    page.get_by_label("Select Missed cadence call for Globex").check()
    assert page.get_by_role("button", name="Snooze selected (2)").is_visible()
    page.get_by_label("Snooze the selected for").select_option("month")
    page.get_by_role("button", name="Snooze selected (2)").click()
    page.wait_for_selector("text=Snoozed 2 CTAs until 2026-12-24.")
    assert set(Cta.objects.exclude(pk=initech.pk).values_list("state", "snoozed_until")) == {
        (CtaState.SNOOZED, dt.date(2026, 12, 24))
    }
    assert Cta.objects.get(pk=initech.pk).state == CtaState.OPEN
    assert page.get_by_role("link", name="Snoozed (2)").is_visible()

    # Select all, then mark done in one action.
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Mark selected done (1)").click()
    page.wait_for_selector("text=Marked 1 CTA done.")
    assert Cta.objects.get(pk=initech.pk).state == CtaState.DONE
