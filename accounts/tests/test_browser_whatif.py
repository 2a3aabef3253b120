"""An admin lowers the green band in Django admin, sees what it would do, applies it, and finds
the account's color changed in the account list (Debian's Chromium through Playwright)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import Color, ScorecardConfig, ScorecardVersion
from accounts.scoring import inputs
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, SuccessPlanFactory, UserFactory
from accounts.tests.test_browser import LAPTOP, _shoot
from healthscore import permissions

# The live server needs real commits: transactional tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(fixed_today):
    admin = UserFactory(username="ada", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)
    # get_or_create: a transactional test before this one may have flushed the migration's data.
    admin.groups.add(Group.objects.get_or_create(name=permissions.ADMIN)[0])
    config = ScorecardConfig.objects.get_or_create(segment="enterprise")[0]
    values = inputs.rules_from_config(config).as_dict()
    ScorecardVersion.objects.get_or_create(segment="enterprise", number=1, defaults={"values": values})
    accounts = {}
    # Acme: everything green (100). Globex: engagement 40 days (yellow), yellow sentiment: 57.5, yellow.
    for name, color, meeting_days in [("Acme Corp", Color.GREEN, 6), ("Globex Bank", Color.YELLOW, 40)]:
        account = AccountFactory(tam=admin, name=name, segment="enterprise")
        MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=meeting_days))
        SuccessPlanFactory(account=account)
        SentimentFactory(account=account, color=color, author=admin, date=fixed_today - dt.timedelta(days=3))
        accounts[name] = account
    for days_ago in (1, 0):
        scoring.scores_recompute(as_of=fixed_today - dt.timedelta(days=days_ago))
    return admin, accounts


def test_admin_previews_a_lower_green_band_applies_it_and_sees_the_colors_change(page, live_server, world):
    _, accounts = world
    globex = accounts["Globex Bank"]
    config = ScorecardConfig.objects.get(segment="enterprise")
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/accounts/scorecardconfig/{config.pk}/change/")
    page.get_by_label("Green min score").fill("55")
    page.get_by_role("button", name="Save", exact=True).click()

    # The preview: nothing saved yet.
    expect(page.locator("#whatif-summary")).to_contain_text("1 of 2 accounts")
    expect(page.locator("#whatif-pairs tbody tr")).to_have_count(1)
    expect(page.locator("#whatif-pairs tbody tr").first).to_contain_text("Yellow")
    expect(page.locator("#whatif-accounts")).to_contain_text("Globex Bank")
    expect(page.locator("#whatif-diff")).to_contain_text("76")
    _shoot(page, "whatif-preview")
    assert ScorecardConfig.objects.get(pk=config.pk).green_min_score == 76

    page.get_by_role("button", name="Apply and rescore 2 accounts").click()
    expect(page.locator(".messagelist")).to_contain_text("Applied as version 2")
    assert ScorecardConfig.objects.get(pk=config.pk).green_min_score == 55

    page.goto(f"{live_server.url}/accounts/?q=Globex")
    row = page.locator("tr", has_text="Globex Bank")
    expect(row.locator(".chip").first).to_have_text("Green")
    page.goto(f"{live_server.url}/accounts/{globex.external_id}/")
    expect(page.locator("#history")).to_contain_text("Healthscore (rules changed: version 2)")
    expect(page.locator("#history")).to_contain_text("green min score 76 → 55")
