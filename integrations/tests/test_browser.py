"""A TAM opens triage records in a real browser while GitLab answers, then while it refuses: the
record and the account page show the issue's link, or the failed sync and why."""

import pytest

from accounts.models import Color
from integrations.models import GitlabIssue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page, live_server, client, tam):
    client.force_login(tam)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_the_issue_link_and_a_failed_sync_show_on_the_record_and_the_account_page(
    signed_in, live_server, gitlab, account_in
):
    page = signed_in
    acme = account_in(Color.YELLOW, name="Acme Corp")
    page.goto(f"{live_server.url}/accounts/{acme.external_id}/")
    page.get_by_role("button", name="Open a triage record").click()
    page.wait_for_url("**/triage/records/*/")
    issue = GitlabIssue.objects.get(account=acme)
    link = page.get_by_role("link", name=f"GitLab issue #{issue.iid}")
    assert link.get_attribute("href") == issue.web_url == gitlab.only_issue()["web_url"]

    page.goto(f"{live_server.url}/accounts/{acme.external_id}/")
    panel = page.locator("#gitlab-issues")
    assert panel.get_by_role("link", name=f"GitLab issue #{issue.iid}").get_attribute("href") == issue.web_url

    gitlab.fault = "401"
    initech = account_in(Color.YELLOW, name="Initech")
    page.goto(f"{live_server.url}/accounts/{initech.external_id}/")
    page.get_by_role("button", name="Open a triage record").click()
    page.wait_for_url("**/triage/records/*/")
    failed = "GitLab sync failed: GitLab refused the token (401 Unauthorized): check GITLAB_TOKEN"
    assert page.get_by_text(failed).is_visible()
    assert page.get_by_text("Triage record opened for Initech.").is_visible()  # the save itself went through

    page.goto(f"{live_server.url}/accounts/{initech.external_id}/")
    assert page.locator("#gitlab-issues").get_by_text(failed).is_visible()
    assert len(gitlab.issues) == 1
