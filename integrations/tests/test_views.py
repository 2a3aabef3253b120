"""What people see: the issue's link and the sync's state on the triage record and the account
page; the admin's retry, for admins only."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import Color
from integrations.models import GitlabIssue, SyncState
from triage import services as triage_services

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def mirrored(gitlab, account_in, tam, django_capture_on_commit_callbacks):
    """mirrored(fault=None): a triage record opened by the TAM while GitLab shows `fault`."""

    def make(fault=None, **fields):
        gitlab.fault = fault
        account = account_in(Color.YELLOW, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            record = triage_services.triage_open(account=account, by=tam)
        gitlab.fault = None
        return record, GitlabIssue.objects.get(triage_record_id=record.pk)

    return make


def test_the_record_page_links_to_the_issue(client, manager, mirrored):
    record, issue = mirrored()
    client.force_login(manager)
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert f'<a href="{issue.web_url}" rel="noopener noreferrer">GitLab issue #{issue.iid}</a>' in page


def test_the_record_page_says_when_the_sync_failed_and_why(client, tam, mirrored):
    record, _ = mirrored("403")
    client.force_login(tam)
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert "GitLab sync failed: the token may not write issues in cs/account-triage (403 Forbidden)" in page


def test_the_record_page_says_when_the_sync_is_pending(client, tam, mirrored):
    record, _ = mirrored("500")
    client.force_login(tam)
    page = html(client.get(f"/triage/records/{record.pk}/"))
    assert "GitLab sync pending (retrying after: GitLab answered 500 (a server error))" in page


def test_without_gitlab_the_pages_say_nothing_about_it(client, tam, account_in, settings):
    settings.GITLAB_URL = ""
    account = account_in(Color.YELLOW)
    record = triage_services.triage_open(account=account, by=tam)
    client.force_login(tam)
    assert "GitLab" not in html(client.get(f"/triage/records/{record.pk}/"))
    assert "GitLab" not in html(client.get(f"/accounts/{account.external_id}/"))


def test_the_account_page_panel_shows_each_records_issue_and_state(client, manager, mirrored, gitlab):
    record, issue = mirrored(name="Acme Corp")
    client.force_login(manager)
    page = html(client.get(f"/accounts/{record.account.external_id}/"))
    assert "GitLab Account Triage" in page
    assert f'<a href="{issue.web_url}" rel="noopener noreferrer">GitLab issue #{issue.iid}</a>' in page
    assert f'href="/triage/records/{record.pk}/"' in page

    failing, _ = mirrored("401", name="Initech")
    page = html(client.get(f"/accounts/{failing.account.external_id}/"))
    assert "GitLab sync failed: GitLab refused the token (401 Unauthorized): check GITLAB_TOKEN" in page


def test_the_account_panel_reads_in_one_query(rf, manager, mirrored, django_assert_num_queries):
    from integrations import panels

    record, _ = mirrored()
    request = rf.get("/")
    request.user = manager
    manager.groups.all()  # roles cached by the first permission check below
    panels.account_panel_context({"request": request}, record.account)
    with django_assert_num_queries(1):
        context = panels.account_panel_context({"request": request}, record.account)
    assert len(context["issues"]) == 1


# --- The admin's retry ------------------------------------------------------------------------


def retry(client, issue):
    return client.post(
        "/admin/integrations/gitlabissue/",
        {"action": "retry_sync", "_selected_action": [issue.pk]},
        follow=True,
    )


def test_an_admin_retries_a_failed_sync(client, admin_user, mirrored, gitlab, django_capture_on_commit_callbacks):
    record, issue = mirrored("401")
    client.force_login(admin_user)
    changelist = html(client.get("/admin/integrations/gitlabissue/"))
    assert "Retry the GitLab sync of the selected issues" in changelist and "GitLab refused the token" in changelist
    with django_capture_on_commit_callbacks(execute=True):
        response = retry(client, issue)
    assert "1 GitLab sync(s) queued again." in html(response)
    issue.refresh_from_db()
    assert issue.state == SyncState.SYNCED and issue.iid == gitlab.only_issue()["iid"]


def test_staff_without_the_admin_role_cannot_retry(client, manager, mirrored, django_capture_on_commit_callbacks):
    record, issue = mirrored("401")
    manager.is_staff = True
    manager.save()
    manager.user_permissions.add(Permission.objects.get(codename="view_gitlabissue"))
    client.force_login(manager)
    changelist = html(client.get("/admin/integrations/gitlabissue/"))
    assert "GitLab refused the token" in changelist and "Retry the GitLab sync" not in changelist
    with django_capture_on_commit_callbacks(execute=True):
        retry(client, issue)
    issue.refresh_from_db()
    assert issue.state == SyncState.FAILED and issue.attempts == 1


def test_a_tam_cannot_reach_the_admin(client, tam, mirrored):
    _, issue = mirrored("401")
    client.force_login(tam)
    assert client.post("/admin/integrations/gitlabissue/", {"action": "retry_sync"}).status_code == 302  # to login
    issue.refresh_from_db()
    assert issue.state == SyncState.FAILED
