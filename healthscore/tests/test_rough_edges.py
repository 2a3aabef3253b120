"""Rough edges removed: a styled 403 with the navigation and the reason, a favicon, long text
that wraps, `make run PORT=…`, `make seed` and `make reset-demo`."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import AccountFactory

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_a_403_is_a_styled_page_with_the_navigation_and_the_reason(client, tam, other_tam):
    account = AccountFactory(tam=other_tam)
    client.force_login(tam)
    response = client.post(f"/accounts/{account.external_id}/sentiment/", {"color": "red", "reason": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only the account&#x27;s TAM or an admin can change it." in page
    assert 'aria-label="Main"' in page and "My accounts" in page  # the navigation
    assert "css/app.css" in page


@pytest.mark.django_db
def test_a_403_without_a_role_says_why(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    page = client.get("/accounts/").content.decode()
    assert "Your login has no Healthscore role yet; ask an admin." in page


@pytest.mark.django_db
def test_every_page_has_a_favicon(client, tam):
    client.force_login(tam)
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/my/").content.decode()
    assert (ROOT / "static" / "favicon.svg").read_text().startswith("<svg")


def test_long_unbroken_text_wraps_and_times_do_not():
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert "overflow-wrap: anywhere" in css and "time { white-space: nowrap; }" in css


def _make_dry_run(*args: str) -> str:
    return subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout


def test_make_run_takes_a_port():
    assert "runserver 127.0.0.1:8000" in _make_dry_run("run")
    assert "runserver 127.0.0.1:8123" in _make_dry_run("run", "PORT=8123")


def test_make_reset_demo_deletes_the_embedded_database_and_seeds_again():
    dry = _make_dry_run("reset-demo")
    assert "rm -f db.sqlite3" in dry and "seed" in dry
    readme = (ROOT / "README.md").read_text()
    assert "make seed" in readme and "make reset-demo" in readme
