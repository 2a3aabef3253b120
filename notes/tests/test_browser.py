"""In a real browser: a TAM writes a meeting note with an action item and a health change, then
sees it in the running notes and the score change."""

import datetime as dt

import pytest

from accounts.models import Color
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory

# A transactional test (the live server needs real commits), like every other browser test. Not
# serialized_rollback: after another transactional test's flush, post_migrate had re-created the
# content types under new ids, and reloading the serialized ones then broke their unique
# (app_label, model) constraint: an IntegrityError when the browser tests ran on their own.
# What the migrations create that a test needs is made by the fixtures (conftest's roles use
# get_or_create; the scorecard falls back to the handbook's rules without its rows).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tam_writes_a_note_with_an_action_item_and_a_health_change(page, live_server, tam, fixed_today):
    account = AccountFactory(tam=tam, name="Acme Corp")
    SuccessPlanFactory(account=account)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45))
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=10))
    scoring.scores_recompute(as_of=fixed_today)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("tam")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/accounts/{account.external_id}/")
    assert page.locator(".scorecard .score").inner_text() == "95.0"
    page.get_by_role("link", name="Write a meeting note").click()

    page.get_by_label("Product feedback").fill("Loves **merge trains**")
    page.get_by_label("Action item", exact=True).first.fill("Send the upgrade guide")
    page.get_by_label("Owner").first.fill("TAM")
    page.get_by_label("Due date").first.fill("2026-12-05")
    page.get_by_label("Changed: sentiment is now Red").check()
    page.get_by_label("Why did it change?").fill("Sponsor left the company")
    page.get_by_role("button", name="Save meeting note").click()

    page.wait_for_url(f"**/notes/accounts/{account.external_id}/#entry-*")
    assert page.get_by_role("heading", name="Acme Corp - Meeting Notes").is_visible()
    entry = page.locator("article.note-entry").first
    assert "2026-11-24 · Cadence call" in entry.locator("h2").inner_text()
    assert entry.locator("strong", has_text="merge trains").is_visible()  # Markdown rendered
    assert entry.get_by_role("cell", name="Send the upgrade guide").is_visible()
    # Engagement is green again (the meeting is held today) and the sentiment is red: 25 points.
    assert "Red" in page.locator(".page-head .chip").inner_text()
    assert "25.0" in page.locator(".page-head .overall").inner_text()

    page.get_by_role("link", name="Scorecard and health signals").click()
    assert page.locator(".scorecard .score").inner_text() == "25.0"
    assert "latest entry 2026-11-24" in page.locator(".notes-panel").inner_text()

    # The open item waits in the next note's form, to be ticked done.
    page.get_by_role("link", name="Write a meeting note").click()
    assert page.get_by_label("Send the upgrade guide (owner: TAM, due 2026-12-05)").is_visible()


def test_an_empty_note_is_refused_and_logs_no_meeting(page, live_server, tam, fixed_today):
    from accounts.models import Meeting
    from notes.models import NoteEntry

    account = AccountFactory(tam=tam, name="Acme Corp")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("tam")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/notes/accounts/{account.external_id}/new/")
    page.get_by_role("button", name="Save meeting note").click()
    alert = page.get_by_role("alert").first
    assert "This meeting note is empty" in alert.inner_text()
    assert "No meeting was logged." in alert.inner_text()
    assert not Meeting.objects.exists() and not NoteEntry.objects.exists()
