"""Renewals in Chromium: a manager picks the window, filters, sees the trend and open triage, and
the address keeps the view; on a phone the risk list keeps its key columns and its "Why"."""

import datetime as dt

import pytest

from dashboard.tests.world import scored_account, snapshot
from triage.models import TriageRecord, TriageStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def signed_in(page, live_server, client, manager, tam, fixed_today):
    def renews(name, color, score, arr, days):
        return scored_account(
            name=name, color=color, score=score, arr=arr, scored_on=fixed_today, health_date=fixed_today, tam=tam,
            renewal_date=fixed_today + dt.timedelta(days=days),
        )  # fmt: skip

    acme = renews("Acme Corp", "red", "20.0", 500_000, 12)
    globex = renews("Globex", "yellow", "55.0", 200_000, 75)
    renews("Initech", "green", "90.0", 80_000, 150)
    snapshot(globex, fixed_today - dt.timedelta(days=30), "green")
    TriageRecord.objects.create(
        account=acme, status=TriageStatus.OPEN, origin="manual", risk="HS::Red", region="EMEA", opened_on=fixed_today
    )
    client.force_login(manager)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def listed(page) -> list[str]:
    return page.locator("table.renewals tbody tr td:first-child a").all_inner_texts()


def test_renewals_window_filters_trend_and_a_reload_keeps_the_view(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Renewals").click()
    page.wait_for_url("**/dashboard/renewals/")
    assert listed(page) == ["Acme Corp", "Globex"]  # the next 90 days, riskiest first
    acme = page.locator("table.renewals tbody tr", has_text="Acme Corp")
    assert "in 12 days" in acme.inner_text() and "Open" in acme.inner_text()
    globex = page.locator("table.renewals tbody tr", has_text="Globex")
    assert "-35.0" in globex.inner_text()  # green 30 days ago, yellow now

    page.get_by_role("link", name="Next 180 days").click()
    page.wait_for_url("**within=180*")
    assert listed(page) == ["Acme Corp", "Globex", "Initech"]
    filters = page.get_by_role("search", name="Search and filter the list")
    filters.get_by_label("Has open triage").select_option("no")
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**open_triage=no*")
    assert listed(page) == ["Globex", "Initech"]
    page.reload()
    assert listed(page) == ["Globex", "Initech"]
    assert page.get_by_role("link", name="Next 180 days").get_attribute("aria-current") == "page"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    assert download_info.value.suggested_filename.startswith("renewals-180-days-")


def test_on_a_phone_the_risk_list_keeps_account_health_arr_renewal_and_why(signed_in, live_server):
    page = signed_in
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("table.risk-list tbody tr").first
    row.scroll_into_view_if_needed()
    width = PHONE["width"]
    # Each row is a block: the account, then each key value with its label; Why across the width.
    cells = {"Account": row.locator("th[scope=row]")}
    for label in ("Health", "ARR", "Renewal", "Why"):
        cells[label] = row.locator(f"td[data-label='{label}']")
    for label, cell in cells.items():
        box = cell.bounding_box()
        assert cell.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, label
    assert cells["Why"].bounding_box()["width"] > width / 2  # not squeezed into a sliver
    assert not row.locator("td[data-label='Team']").is_visible()  # an optional column gives way
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
