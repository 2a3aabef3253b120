"""A manager filters the risk dashboard and exports the filtered list as CSV, in Chromium."""

import csv
from pathlib import Path

import pytest

from dashboard.tests.world import portfolio

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Transactional: the live server reads the test data from another thread.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_filters_the_dashboard_and_exports_csv(live_server, page, fixed_today, tam, other_tam, manager):
    portfolio(fixed_today, tam=tam, other_tam=other_tam)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Risk dashboard").wait_for()
    assert page.locator(".risk-list tbody tr").count() == 4
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.get_by_label("Region", exact=True).select_option("EMEA")
    page.get_by_role("group", name="Color").get_by_label("Yellow", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/dashboard/?*region=EMEA*")
    rows = page.locator(".risk-list tbody tr")
    assert rows.count() == 1
    assert "Yellow Com EMEA" in rows.first.inner_text()
    assert "1 account match the filters" in page.locator(".page-head").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard-filtered.png"), full_page=True)

    export = page.get_by_role("link", name="Export CSV")
    with page.expect_download() as download_info:
        export.click()
    download = download_info.value
    assert download.suggested_filename == "risk-dashboard-2026-11-24.csv"
    with open(download.path(), newline="", encoding="utf-8-sig") as f:
        exported = list(csv.reader(f))
    assert exported[0][:3] == ["External id", "Name", "Segment"]
    assert [(r[1], r[3], r[8]) for r in exported[1:]] == [("Yellow Com EMEA", "EMEA", "Yellow")]
    page.get_by_text("Exported risk-dashboard-2026-11-24.csv").wait_for()
    assert export.inner_text() == "Export CSV"


def test_dashboard_fits_a_phone_screen(live_server, page, fixed_today, tam, other_tam, manager):
    portfolio(fixed_today, tam=tam, other_tam=other_tam)
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Risk dashboard").wait_for()
    # Wide tables scroll inside their own box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
