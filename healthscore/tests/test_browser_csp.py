"""The Content-Security-Policy breaks nothing: no violation on the main pages in Chromium."""

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import AccountFactory, UserFactory
from healthscore import permissions
from notes.tests.factories import NoteEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(username, role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_the_main_pages_raise_no_csp_violation(page, live_server, fixed_today):
    tam, _ = _user("ana", permissions.TAM), _user("maria", permissions.MANAGER)
    account = AccountFactory(tam=tam, name="Acme Corp")
    NoteEntryFactory(account=account, product_feedback="**Likes** merge trains")
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    for username, paths in [
        ("ana", ["/my/", f"/accounts/{account.external_id}/", f"/notes/accounts/{account.external_id}/"]),
        ("maria", ["/dashboard/"]),
    ]:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
    assert violations == []
