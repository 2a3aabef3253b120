"""The API tokens page: create (the key shown once), list, revoke; only one's own tokens."""

import pytest

from api import services
from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_creating_a_token_shows_its_key_once(client, tam):
    client.force_login(tam)
    assert client.post("/api/tokens/", {"name": "CRM sync", "expires_on": ""}).status_code == 302
    response = client.get("/api/tokens/")
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=tam)
    assert key in response.content.decode() and token.key_hash == services.key_hash(key)
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    again = client.get("/api/tokens/").content.decode()
    assert key not in again and "CRM sync" in again and token.prefix in again


def test_a_bad_token_form_is_422_and_creates_nothing(client, tam, fixed_today):
    client.force_login(tam)
    assert client.post("/api/tokens/", {"name": ""}).status_code == 422
    assert client.post("/api/tokens/", {"name": "x", "expires_on": "2020-01-01"}).status_code == 422
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(client, tam):
    token, key = services.token_create(user=tam, name="x")
    client.force_login(tam)
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_another_users_token_cannot_be_revoked_or_seen(client, tam, other_tam):
    token, _ = services.token_create(user=other_tam, name="theirs")
    client.force_login(tam)
    assert "theirs" not in client.get("/api/tokens/").content.decode()
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_login_without_a_role_gets_no_tokens(client, db):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.post("/api/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
