"""The API tokens page in a real browser: create a token, copy the key shown once, use it, revoke it."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from api.models import ApiToken
from healthscore import permissions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tam_creates_uses_and_revokes_a_token(page, live_server):
    tam = UserFactory(username="ana", password="pw-ana-123")
    tam.groups.add(Group.objects.get_or_create(name=permissions.TAM)[0])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "pw-ana-123")
    page.click("button[type=submit]")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Spreadsheet sync")
    page.get_by_role("button", name="Create token").click()
    key = page.locator("#token-key").inner_text()
    assert key.startswith("hs_")
    expect(page.get_by_text("shown only this once")).to_be_visible()

    answer = page.request.get(f"{live_server.url}/api/v1/accounts/", headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 200

    page.reload()  # a reload shows the list, never the key again
    expect(page.locator("#token-key")).to_have_count(0)
    page.get_by_role("button", name="Revoke Spreadsheet sync").click()
    expect(page.get_by_text("revoked: it no longer works")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None
