"""The signal data is editable in the admin; the notes themselves are not in it."""

import pytest
from django.contrib import admin

from accounts.tests.factories import AccountFactory
from notes.models import ActionItem, NoteEntry, ProductRelease
from notes.tests.factories import ChampionChangeFactory, FeatureRequestFactory

pytestmark = pytest.mark.django_db


def test_account_admin_page_shows_feature_requests_and_champion_changes(client, admin_user):
    account = AccountFactory()
    FeatureRequestFactory(account=account, title="SAML group sync")
    ChampionChangeFactory(account=account, person="Jane Doe")
    client.force_login(admin_user)
    html = client.get(f"/admin/accounts/account/{account.pk}/change/").content.decode()
    assert "SAML group sync" in html and "Jane Doe" in html


def test_admin_configures_the_latest_release(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/notes/productrelease/add/", {"major": "17", "minor": "6", "released_on": "2026-11-19"}
    )
    assert response.status_code == 302
    assert ProductRelease.objects.get().version == "17.6"
    duplicate = client.post(
        "/admin/notes/productrelease/add/", {"major": "17", "minor": "6", "released_on": "2026-11-20"}
    )
    assert duplicate.status_code == 200 and ProductRelease.objects.count() == 1


def test_meeting_notes_are_not_in_the_admin():
    assert NoteEntry not in admin.site._registry and ActionItem not in admin.site._registry
