"""A manager finds the accounts whose score rests on old data and reads why, in Chromium."""

import datetime as dt
from pathlib import Path

import pytest

from accounts.models import Account, DataFeed, FeedSync, Meeting, SuccessPlan
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Transactional: the live server reads the test data from another thread.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def account_confirmed_on(name: str, sentiment_day: dt.date, today: dt.date, tam) -> Account:
    """An Enterprise account with fresh meeting, plan and ticket data; its sentiment set on a day."""
    noon = dt.time(12, tzinfo=dt.UTC)
    account = AccountFactory(name=name, tam=tam)
    meeting = MeetingFactory(account=account, date=today - dt.timedelta(days=3))
    Meeting.objects.filter(pk=meeting.pk).update(created_at=dt.datetime.combine(meeting.date, noon))
    plan = SuccessPlanFactory(account=account)
    SuccessPlan.objects.filter(pk=plan.pk).update(updated_at=dt.datetime.combine(today, noon))
    SentimentFactory(account=account, date=sentiment_day, author=tam)
    return account


def test_manager_filters_the_dashboard_by_low_confidence_and_reads_why(live_server, page, fixed_today, tam, manager):
    FeedSync.objects.create(
        feed=DataFeed.TICKETS, synced_at=dt.datetime.combine(fixed_today - dt.timedelta(days=1), dt.time(tzinfo=dt.UTC))
    )
    account_confirmed_on("Fresh Corp", fixed_today - dt.timedelta(days=2), fixed_today, tam)
    old = account_confirmed_on("Old News Inc", dt.date(2026, 7, 20), fixed_today, tam)
    scoring.scores_recompute(as_of=fixed_today)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Risk dashboard").wait_for()
    assert page.locator(".risk-list tbody tr").count() == 2

    page.get_by_label("Confidence below (%)").fill("50")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/dashboard/?*confidence_below=50*")
    rows = page.locator(".risk-list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Old News Inc" in row and "25 %" in row
    assert "Confidence 25 %: sentiment not confirmed for 4 months" in row
    page.screenshot(path=str(ARTIFACTS / "dashboard-confidence.png"), full_page=True)

    rows.first.get_by_role("link", name="Old News Inc").click()
    page.wait_for_url(f"**/accounts/{old.external_id}/")
    assert page.get_by_test_id("confidence").inner_text() == "Confidence 25 %"
    reasons = page.get_by_test_id("confidence-reasons").inner_text()
    assert reasons.startswith("Confidence 25 %: sentiment not confirmed for 4 months.")
