"""The Import page in a real browser: an admin uploads a Salesforce CSV and sees it done."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import Account
from accounts.tests.factories import UserFactory
from healthscore import permissions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def test_an_admin_imports_a_salesforce_report(page, live_server, tmp_path, fixed_today):
    admin = UserFactory(username="root", password="pw-root-123", is_staff=True, is_superuser=True)
    admin.groups.add(Group.objects.get_or_create(name=permissions.ADMIN)[0])
    csv = tmp_path / "accounts.csv"
    csv.write_text("Account ID;Account Name;Type;Annual Revenue;Billing Country\nA-1;Acme;SMB;9000;Brazil\n")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root-123")
    page.click("button[type=submit]")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Export from").select_option("salesforce")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 row imported (1 new accounts)")).to_be_visible()
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-run.png"), full_page=True)
    assert Account.objects.get(external_id="A-1").region == "LATAM"
