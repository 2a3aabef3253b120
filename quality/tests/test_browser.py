"""Scorecard quality in Chromium: a manager opens the page, narrows the period and tries a draft
threshold, and the figures and charts follow; a TAM records a renewal outcome on the account page."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import AccountFactory
from quality.models import RenewalOutcome
from quality.tests.factories import RenewalOutcomeFactory, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, client, user):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def _renewal(color: str, outcome: str, date: dt.date, arr=1000):
    account = AccountFactory()
    snapshot(account, date - dt.timedelta(days=35), color, sentiment=color)
    RenewalOutcomeFactory(account=account, date=date, outcome=outcome, arr=Decimal(0 if outcome == "churned" else arr))


def _recall(page, horizon: int, series: str) -> str:
    return page.locator(f"#prediction-table tr.series-{series}[data-horizon='{horizon}'] td.recall").inner_text()


def test_a_manager_narrows_the_period_and_tries_a_draft_threshold(page, live_server, client, manager, fixed_today):
    # September: green renewed, red downsell, yellow (62.5) churned. November: red churned.
    for color, outcome in (("green", "renewed"), ("red", "downsell"), ("yellow", "churned")):
        _renewal(color, outcome, dt.date(2026, 9, 15))
    _renewal("red", "churned", dt.date(2026, 11, 10))
    page = _sign_in(page, live_server, client, manager)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecard quality").click()
    page.wait_for_url("**/quality/")
    assert page.locator("#quality-total").inner_text().startswith("4 renewals")
    assert _recall(page, 30, "recorded") == "66.7 %"  # red caught 2 of 3 losses
    assert page.locator("svg.distribution-chart").count() == 3

    # Only September and October: the November churn drops out.
    page.get_by_label("to").fill("2026-10-31")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**end=2026-10-31*")
    assert page.locator("#quality-total").inner_text().startswith("3 renewals")
    assert _recall(page, 30, "recorded") == "50.0 %"
    assert page.locator("rect.bar-draft").count() == 0

    # A draft for Enterprise: the yellow band starts at 63, so the 62.5 account turns red.
    page.get_by_label("Segment").select_option("enterprise")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**segment=enterprise*")
    page.get_by_text("Draft configuration for Enterprise").click()
    page.get_by_label("Yellow min score").fill("63")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**yellow_min_score=63*")
    assert "Yellow min score 51 → 63" in page.locator("#draft-summary").inner_text()
    assert _recall(page, 30, "draft") == "100.0 %"
    assert _recall(page, 30, "recorded") == "50.0 %"
    assert page.locator("svg.distribution-chart").count() == 6  # recorded and draft, per horizon
    assert page.locator("rect.bar-draft").count() > 0

    # A bad draft: a field error, the recorded figures stay.
    page.get_by_label("Yellow min score").fill("90")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**yellow_min_score=90*")
    assert "green band must start above" in page.locator("#green_min_score-errors").inner_text()
    assert page.locator("rect.bar-draft").count() == 0


def test_a_tam_records_a_renewal_outcome_on_the_account_page(page, live_server, client, tam, fixed_today):
    account = AccountFactory(tam=tam, name="Acme Corp", renewal_date=dt.date(2026, 11, 1))
    page = _sign_in(page, live_server, client, tam)
    page.goto(f"{live_server.url}/accounts/{account.external_id}/")
    panel = page.locator("#renewal-outcomes")
    assert panel.get_by_label("Renewal date").input_value() == "2026-11-01"
    panel.get_by_label("Outcome").select_option("churned")
    panel.get_by_role("button", name="Record outcome").click()
    # The ARR is still the account's: a churned account's must be 0.
    assert "must be 0 for a churned account" in page.locator("#outcome-arr-errors").inner_text()
    page.get_by_label("ARR after the renewal").fill("0")
    page.get_by_role("button", name="Record outcome").click()
    page.wait_for_url(f"**/accounts/{account.external_id}/#renewal-outcomes")
    assert "Recorded: churned on 2026-11-01." in page.locator(".messages").inner_text()
    assert "Churned" in page.locator("#renewal-outcomes table").inner_text()
    assert RenewalOutcome.objects.get().recorded_by == tam
