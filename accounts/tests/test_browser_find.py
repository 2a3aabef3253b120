"""Find anything in two keystrokes, in Chromium: search, filter and sort the account list and
bookmark the view (the address alone brings it back); the header's search from any page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import AccountFactory, UserFactory
from healthscore import permissions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page, live_server, client, fixed_today):
    tam = UserFactory(username="ana", first_name="Ana", last_name="Silva")
    tam.groups.add(Group.objects.get_or_create(name=permissions.TAM)[0])
    rows = [
        ("Acme Corp", "CRM-ACME", "red", "20.0", 500_000, 20),
        ("Acme Labs", "CRM-ALAB", "green", "92.0", 40_000, 200),
        ("Acme Cloud", "CRM-ACLD", "yellow", "58.0", 900_000, 70),
        ("Globex Bank", "CRM-GLBX", "red", "15.0", 80_000, 10),
        ("Initech", "CRM-INIT", "green", "88.0", 30_000, 300),
    ]
    for name, ext, color, score, arr, renews_in in rows:
        AccountFactory(
            name=name, external_id=ext, tam=tam, health_color=color, health_score=Decimal(score), arr=arr,
            renewal_date=fixed_today + dt.timedelta(days=renews_in), health_date=fixed_today,
        )  # fmt: skip
    client.force_login(tam)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def names_in_table(page) -> list[str]:
    return page.locator("table.account-list tbody tr td:first-child a").all_inner_texts()


def test_search_filter_sort_the_account_list_and_bookmark_it(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/accounts/")
    assert len(names_in_table(page)) == 5

    filters = page.get_by_role("search", name="Search and filter the list")
    filters.get_by_label("Search").fill("acme")
    filters.get_by_label("Red", exact=True).check()
    filters.get_by_label("Yellow", exact=True).check()  # several colors at once
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/accounts/?*q=acme*")
    assert names_in_table(page) == ["Acme Corp", "Acme Cloud"]  # riskiest first

    page.get_by_role("link", name="ARR").click()  # a sortable column: largest first
    page.wait_for_url("**sort=-arr*")
    assert names_in_table(page) == ["Acme Cloud", "Acme Corp"]
    bookmark = page.url

    # The bookmark, opened fresh, is the same view: rows, search box, boxes ticked, sort.
    page.goto(f"{live_server.url}/")
    page.goto(bookmark)
    assert names_in_table(page) == ["Acme Cloud", "Acme Corp"]
    assert filters.get_by_label("Search").input_value() == "acme"
    assert (
        filters.get_by_label("Red", exact=True).is_checked() and filters.get_by_label("Yellow", exact=True).is_checked()
    )
    assert not filters.get_by_label("Green", exact=True).is_checked()

    # A summary chip is a link that filters by its color, the search kept.
    page.locator(".chip-strip").get_by_role("link", name="Green").click()
    page.wait_for_url("**color=green*")
    assert names_in_table(page) == ["Acme Labs"]


def test_the_header_search_finds_an_account_from_any_page(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/my/")
    box = page.get_by_role("searchbox", name="Find an account")
    box.fill("glob")
    box.press("Enter")
    page.wait_for_url("**/accounts/CRM-GLBX/")  # one match: straight to the account
    assert page.get_by_role("heading", name="Globex Bank").is_visible()

    box = page.get_by_role("searchbox", name="Find an account")
    box.fill("acme")
    box.press("Enter")
    page.wait_for_url("**/search/?q=acme")
    assert page.get_by_role("link", name="Acme Cloud").is_visible()
    assert page.get_by_role("link", name="Initech").count() == 0
    page.get_by_role("link", name="Acme Labs").click()
    page.wait_for_url("**/accounts/CRM-ALAB/")
