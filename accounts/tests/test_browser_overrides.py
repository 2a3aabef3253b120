"""A manager overrides an account's color in a real browser (Debian's Chromium through
Playwright): with a reason and an expiry, then sees it marked as an override (who, why, until
when, the computed color beside it) on the account page and the dashboard; the TAM sees it in
My accounts."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import Color
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory, UserFactory
from accounts.tests.test_browser import LAPTOP, _log_in, _shoot
from healthscore import permissions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(fixed_today):
    tam = UserFactory(username="ana", first_name="Ana", last_name="Silva")
    tam.groups.add(Group.objects.get_or_create(name=permissions.TAM)[0])
    manager = UserFactory(username="maria", first_name="Maria", last_name="Lopez")
    manager.groups.add(Group.objects.get_or_create(name=permissions.MANAGER)[0])
    account = AccountFactory(tam=tam, name="Acme Corp")
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=6))
    SuccessPlanFactory(account=account)
    SentimentFactory(account=account, color=Color.GREEN, author=tam, date=fixed_today - dt.timedelta(days=3))
    scoring.scores_recompute(as_of=fixed_today)
    return account


def test_a_manager_overrides_a_color_and_sees_it_marked_everywhere(page, live_server, world, fixed_today):
    account = world
    page.set_viewport_size(LAPTOP)
    _log_in(page, live_server, username="maria")
    page.goto(f"{live_server.url}/accounts/{account.external_id}/")
    panel = page.locator("#override")
    expect(panel).to_contain_text("No override: the overall color is the computed one.")

    # A missing reason and an expiry too far are answered next to the fields.
    panel.get_by_label("Red").check()
    panel.get_by_label("Until (last day)").fill((fixed_today + dt.timedelta(days=120)).isoformat())
    panel.get_by_role("button", name="Set override").click()
    panel = page.locator("#override")
    expect(panel).to_contain_text("Say why the computed color is wrong.")

    panel.get_by_label("Red").check()
    panel.get_by_label("Reason").fill("Champion left; renewal at risk")
    panel.get_by_label("Until (last day)").fill((fixed_today + dt.timedelta(days=120)).isoformat())
    panel.get_by_role("button", name="Set override").click()
    expect(page.locator("#override")).to_contain_text("90 days at most")

    panel = page.locator("#override")
    panel.get_by_label("Red").check()
    panel.get_by_label("Reason").fill("Champion left; renewal at risk")
    panel.get_by_label("Until (last day)").fill("2026-12-20")
    panel.get_by_role("button", name="Set override").click()

    expect(page.locator(".messages")).to_contain_text("overridden to Red until 2026-12-20")
    overall = page.locator(".overall")
    expect(overall.locator(".chip").first).to_have_text("Red")
    expect(overall.locator(".badge-override")).to_have_text("Override")
    expect(overall.locator(".computed-color")).to_have_text("computed Green")
    expect(page.locator("#override")).to_contain_text("until 2026-12-20, set by Maria Lopez")
    expect(page.locator("#override")).to_contain_text("Champion left; renewal at risk")
    _shoot(page, "override-account-page")

    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator("tr", has_text="Acme Corp")
    expect(row.locator(".badge-override")).to_have_attribute(
        "title",
        "Override by Maria Lopez until 2026-12-20: “Champion left; renewal at risk”. Computed: Green, score 100.0.",
    )
    expect(row.locator(".computed-color")).to_have_text("computed Green")

    page.context.clear_cookies()
    _log_in(page, live_server, username="ana")
    row = page.locator(f"#acct-{account.external_id}")
    expect(row.locator(".chip").first).to_have_text("Red")
    expect(row.locator(".badge-override")).to_be_visible()
    expect(row.locator(".computed-color")).to_have_text("computed Green")
    _shoot(page, "override-my-accounts")
