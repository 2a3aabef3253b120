"""The TAM's two daily paths in a real browser (Debian's Chromium through Playwright).

Screenshots of My accounts and the account page, at a laptop and a phone width, are saved
under test-artifacts/ (gitignored).
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import Color, Meeting, SentimentSource
from accounts.scoring import services as scoring
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    TicketFactory,
    UserFactory,
)
from healthscore import permissions

# The live server needs real commits: transactional tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 860}


@pytest.fixture
def world(fixed_today):
    tam = UserFactory(username="ana", first_name="Ana", last_name="Silva")
    # get_or_create: a transactional test before this one may have flushed the migration's groups.
    tam.groups.add(Group.objects.get_or_create(name=permissions.TAM)[0])
    accounts = {}
    for name, color, meeting_days in [("Acme Corp", Color.GREEN, 6), ("Globex Bank", Color.YELLOW, 40)]:
        account = AccountFactory(tam=tam, name=name, renewal_date=dt.date(2027, 4, 30))
        MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=meeting_days))
        SuccessPlanFactory(account=account)
        TicketFactory.create_batch(2, account=account, opened=fixed_today - dt.timedelta(days=4))
        SentimentFactory(account=account, color=color, author=tam, date=fixed_today - dt.timedelta(days=30))
        accounts[name] = account
    for weeks_ago in (10, 6, 3, 0):
        scoring.scores_recompute(as_of=fixed_today - dt.timedelta(weeks=weeks_ago))
    return tam, accounts


def _log_in(page, live_server, username="ana"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()


def _shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_tam_updates_sentiment_inline_and_sees_the_score_change_without_a_reload(page, live_server, world):
    tam, accounts = world
    acme = accounts["Acme Corp"]
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server)
    expect(page).to_have_url(f"{live_server.url}/my/")
    _shoot(page, "my-accounts-desktop")
    row = page.locator(f"#acct-{acme.external_id}")
    expect(row.locator(".chip").first).to_have_text("Green")
    expect(row.locator(".row-score")).to_have_text("100.0")
    expect(page.locator("#my-summary li").nth(1)).to_have_text("Red 0")
    page.evaluate("window.__noReload = true")

    # Keyboard: open the row's update panel with Enter.
    row.locator("summary").focus()
    page.keyboard.press("Enter")
    row.get_by_role("radio", name="Red").check()
    row.get_by_role("button", name="Save sentiment").click()
    # A color change without a reason: the error shows in the row, nothing is saved.
    expect(row.get_by_text("Say why the sentiment changes.")).to_be_visible()
    assert acme.sentiments.count() == 1

    row.get_by_label("Reason").fill("Sponsor left, no replacement yet")
    row.get_by_role("button", name="Save sentiment").click()
    expect(row.locator(".row-score")).to_have_text("25.0")
    expect(row.locator(".chip").first).to_have_text("Red")
    expect(row.get_by_text("✓ Saved")).to_be_visible()
    # The counts above the table follow (swapped out of band), and focus is back on the row.
    expect(page.locator("#my-summary li").nth(1)).to_have_text("Red 1")
    expect(row.locator("summary")).to_be_focused()
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    entry = acme.sentiments.latest("created_at")
    assert (entry.color, entry.source) == (Color.RED, SentimentSource.ACCOUNT_LIST)
    _shoot(page, "my-accounts-desktop-after-update")

    page.set_viewport_size(PHONE)
    page.reload()
    _shoot(page, "my-accounts-phone")
    # At phone width every value keeps its label (a card per account, no sideways scroll).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_tam_logs_a_call_with_a_sentiment_change_and_sees_it_on_the_account_page(page, live_server, world):
    tam, accounts = world
    globex = accounts["Globex Bank"]
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server)
    page.get_by_role("link", name="Globex Bank").click()
    expect(page.get_by_role("heading", name="Globex Bank", level=1)).to_be_visible()

    form = page.locator("#activity form")
    form.get_by_label("Date").fill("2026-11-23")
    form.get_by_label("Kind").select_option("cadence")
    form.get_by_label("Attendees").fill("Jo Park (platform lead)")
    form.get_by_label("Summary").fill("Runner fleet upgrade slipped again; they are looking at alternatives.")
    form.get_by_label("New TAM sentiment").select_option("red")
    form.get_by_label("Reason for the sentiment").fill("Evaluating a competitor")
    form.get_by_role("button", name="Log activity").click()

    expect(page.get_by_role("status").first).to_contain_text("Logged the cadence call of 2026-11-23")
    history = page.locator("#history")
    expect(history).to_contain_text("Evaluating a competitor")
    expect(history).to_contain_text("via Logged activity")
    expect(page.locator("#meetings")).to_contain_text("Runner fleet upgrade slipped again")
    expect(page.locator(".scorecard .overall .chip")).to_have_text("Red")
    meeting = Meeting.objects.get(account=globex, date=dt.date(2026, 11, 23))
    assert meeting.logged_by == tam
    assert globex.sentiments.latest("created_at").source == SentimentSource.ACTIVITY
    _shoot(page, "account-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    _shoot(page, "account-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_overall_color_shows_before_saving_a_sentiment(page, live_server, world):
    tam, accounts = world
    acme = accounts["Acme Corp"]
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server)
    page.goto(f"{live_server.url}/accounts/{acme.external_id}/")

    form = page.locator("#sentiment form")
    form.get_by_role("radio", name="Yellow").check()
    preview = form.locator(".sentiment-preview")
    expect(preview).to_contain_text("Yellow sentiment makes this account Yellow overall.")
    expect(preview).to_contain_text("100.0 → Yellow 62.5")
    expect(preview).to_contain_text("No one holds the notified roles for this account yet.")
    form.get_by_role("radio", name="Red").check()
    expect(preview).to_contain_text("Red sentiment makes this account Red overall.")
    # Nothing was saved by looking.
    assert acme.sentiments.count() == 1
    acme.refresh_from_db()
    assert acme.health_color == Color.GREEN

    # The same preview in My accounts' inline editor and when logging an activity.
    activity = page.locator("#activity form")
    activity.get_by_label("New TAM sentiment").select_option("yellow")
    expect(activity.locator(".sentiment-preview")).to_contain_text(
        "Yellow sentiment makes this account Yellow overall."
    )
    page.goto(f"{live_server.url}/my/")
    row = page.locator(f"#acct-{acme.external_id}")
    row.locator("summary").click()
    row.get_by_role("radio", name="Red").check()
    expect(row.locator(".sentiment-preview")).to_contain_text("Red sentiment makes this account Red overall.")


def test_escape_closes_the_inline_editor(page, live_server, world):
    tam, accounts = world
    acme = accounts["Acme Corp"]
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server)
    row = page.locator(f"#acct-{acme.external_id}")
    row.locator("summary").click()
    row.get_by_label("Reason").focus()
    expect(row.locator("details.inline-update")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(row.locator("details.inline-update")).not_to_have_attribute("open", "")
    expect(row.locator("summary")).to_be_focused()


def test_the_header_folds_behind_a_menu_button_on_phones(page, live_server, world):
    page.set_viewport_size(PHONE)
    _log_in(page, live_server)
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(nav.get_by_role("link", name="Accounts", exact=True)).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size(LAPTOP)
    page.reload()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts", exact=True)).to_be_visible()
