"""Single sign-on against an OpenID Connect provider on loopback: the whole code flow over real
HTTP (authorize, token, JWKS, userinfo), the group to role mapping, and break-glass passwords."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth.models import User

from accounts.tests.factories import UserFactory
from healthscore import permissions, sso
from healthscore.models import RoleChange
from healthscore.tests.oidc_provider import CLIENT_ID, running_provider
from healthscore.tests.test_settings import run_check

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-secret-42"
MAPPING = {"TAM": ["hs-tams"], "Manager": ["hs-managers"], "Admin": ["hs-admins", "it-admins"]}


@pytest.fixture
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def sso_on(provider, settings):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "healthscore.sso.RoleMappingBackend"]
    settings.OIDC_ROLE_GROUPS = MAPPING
    return provider


@pytest.fixture
def passwords_off(sso_on, settings):
    settings.OIDC_PASSWORD_LOGIN = False
    settings.OIDC_BREAK_GLASS_USERNAME = "breakglass"
    settings.AUTHENTICATION_BACKENDS = [
        "healthscore.sso.BreakGlassPasswordBackend" if path.endswith(".ModelBackend") else path
        for path in settings.AUTHENTICATION_BACKENDS
    ]
    return sso_on


def identity(username="ada", groups=(), **claims):
    return {
        "sub": f"sub-{username}",
        "email": f"{username}@example.com",
        "email_verified": True,
        "preferred_username": username,
        "given_name": username.title(),
        "groups": list(groups),
        **claims,
    }


def sign_in(client, provider, who: dict, next_url="/dashboard/"):
    """The browser's part of the code flow: our redirect, the provider's, then our callback."""
    provider.identity = who
    start = client.get(f"/oidc/authenticate/?next={next_url}")
    assert start.status_code == 302
    authorize = urlparse(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{provider.base_url}/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlparse(at_provider.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def roles(user):
    return set(user.groups.values_list("name", flat=True))


# --- The mapping, pure ----------------------------------------------------------------------------


def test_groups_are_read_from_a_list_or_a_single_string():
    assert sso.groups_in({"groups": ["a", "b"]}, "groups") == {"a", "b"}
    assert sso.groups_in({"roles": "a"}, "roles") == {"a"}
    assert sso.groups_in({}, "groups") == set()
    assert sso.groups_in({"groups": {"nested": 1}}, "groups") == set()


def test_each_role_comes_from_any_of_its_groups():
    assert sso.roles_for({"it-admins", "hs-tams", "other"}, MAPPING) == {"Admin", "TAM"}
    assert sso.roles_for({"other"}, MAPPING) == set()
    assert sso.roles_for({"x"}, {"Superhero": ["x"]}) == set()  # only Healthscore's roles


def test_the_settings_map_exactly_the_roles_permissions_knows(settings):
    assert tuple(settings.OIDC_ROLE_GROUPS) == permissions.ROLES


# --- The code flow ------------------------------------------------------------------------------


def test_a_first_sign_in_creates_the_person_with_the_roles_their_groups_map_to(client, sso_on):
    response = sign_in(client, sso_on, identity("ada", groups=["hs-tams", "unrelated"]))

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = signed_in_user(client)
    assert (user.username, user.email, user.first_name) == ("ada", "ada@example.com", "Ada")
    assert not user.has_usable_password()
    assert roles(user) == {permissions.TAM}
    # Token, keys and userinfo were fetched from the provider over HTTP.
    assert {("POST", "/token"), ("GET", "/jwks"), ("GET", "/userinfo")} <= set(sso_on.requests)
    assert list(RoleChange.objects.filter(username="ada").values_list("role", "action", "via")) == [
        ("TAM", "added", "sso")
    ]
    assert client.get("/my/").status_code == 200


def test_an_existing_user_is_found_by_email(client, sso_on):
    existing = UserFactory(username="a.lovelace", email="Ada@Example.com")
    sign_in(client, sso_on, identity("ada", groups=["hs-managers"]))
    assert signed_in_user(client) == existing
    assert roles(existing) == {permissions.MANAGER}
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


def test_a_group_removed_at_the_provider_removes_the_role_at_the_next_sign_in(client, sso_on):
    sign_in(client, sso_on, identity("ada", groups=["hs-managers", "it-admins"]))
    user = signed_in_user(client)
    assert roles(user) == {permissions.MANAGER, permissions.ADMIN}
    assert (user.is_superuser, user.is_staff) == (True, True)

    client.logout()
    sign_in(client, sso_on, identity("ada", groups=["hs-tams"]))
    user.refresh_from_db()
    assert roles(user) == {permissions.TAM}
    assert (user.is_superuser, user.is_staff) == (False, False)
    assert permissions.roles_of(User.objects.get(pk=user.pk)) == {permissions.TAM}
    assert client.get("/dashboard/").status_code == 403
    removed = set(RoleChange.objects.filter(username="ada", action="removed").values_list("role", "via"))
    assert removed == {("Manager", "sso"), ("Admin", "sso"), ("superuser", "sso"), ("staff", "sso")}


def test_no_mapped_group_means_no_role(client, sso_on):
    sign_in(client, sso_on, identity("ada", groups=["unrelated"]))
    assert roles(signed_in_user(client)) == set()
    assert client.get("/accounts/").status_code == 403


def _refused(client, provider):
    response = sign_in(client, provider, identity("ada", groups=["hs-admins"]))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="ada").exists()
    assert "Single sign-on did not complete" in client.get("/login/").content.decode()


def test_a_token_for_another_client_signs_nobody_in(client, sso_on):
    sso_on.audience = "another-client"
    _refused(client, sso_on)


def test_a_token_from_another_issuer_signs_nobody_in(client, sso_on):
    sign = sso_on.id_token
    sso_on.id_token = lambda claims, nonce: sign({**claims, "iss": "https://evil.example"}, nonce)
    _refused(client, sso_on)


def test_a_token_signed_with_another_key_signs_nobody_in(client, sso_on):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = sso_on.jwks()
    sso_on.key = other_key  # signs with the new key, while the JWKS keeps serving the old one
    sso_on.jwks = lambda: jwks
    _refused(client, sso_on)


def test_an_unverified_email_is_refused(client, sso_on):
    UserFactory(username="victim", email="victim@example.com")
    sign_in(client, sso_on, identity("mallory", email="victim@example.com", email_verified=False))
    assert signed_in_user(client) is None


def test_a_provider_that_went_away_gives_a_message_not_an_error(client, sso_on, settings):
    provider = sso_on
    start = client.get("/oidc/authenticate/")
    provider.identity = identity("ada")
    back = urlparse(requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"])
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # nothing listens on the discard port
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in_user(client) is None


def test_a_replayed_callback_signs_nobody_in(client, sso_on):
    provider = sso_on
    provider.identity = identity("ada", groups=["hs-tams"])
    start = client.get("/oidc/authenticate/")
    back = urlparse(requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"])
    callback = f"{back.path}?{back.query}"
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code in (302, 400)
    assert signed_in_user(client) is None


def test_the_login_page_offers_sso(client, sso_on):
    page = client.get("/login/?next=/dashboard/").content.decode()
    assert "Sign in with SSO" in page
    assert 'href="/oidc/authenticate/?next=/dashboard/"' in page


# --- Without the variables, nothing changes ------------------------------------------------------


def test_without_sso_there_is_no_sso(client, settings):
    assert settings.SSO_ENABLED is False
    assert "healthscore.sso.RoleMappingBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with SSO" not in client.get("/login/").content.decode()


def test_sso_with_a_missing_endpoint_refuses_to_start():
    result = run_check(DEBUG="true", OIDC_RP_CLIENT_ID="healthscore", OIDC_RP_CLIENT_SECRET="s")
    assert result.returncode != 0
    assert "Single sign-on needs OIDC_OP_AUTHORIZATION_ENDPOINT" in result.stderr


def test_passwords_off_without_sso_refuses_to_start():
    result = run_check(DEBUG="true", OIDC_PASSWORD_LOGIN="false")
    assert result.returncode != 0
    assert "OIDC_PASSWORD_LOGIN=false needs single sign-on" in result.stderr


# --- Break glass ----------------------------------------------------------------------------------


@pytest.fixture
def local_people(db):
    people = {}
    for username, superuser in (("breakglass", True), ("ordinary", False)):
        user = UserFactory(username=username, is_superuser=superuser, is_staff=superuser)
        user.set_password(PASSWORD)
        user.save()
        people[username] = user
    return people


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_with_passwords_off_only_the_break_glass_admin_signs_in_with_a_password(
    client, passwords_off, local_people, url
):
    refused = client.post(url, {"username": "ordinary", "password": PASSWORD})
    assert refused.status_code == 200
    assert sso.PASSWORDS_OFF in refused.content.decode()
    assert signed_in_user(client) is None

    accepted = client.post(url, {"username": "breakglass", "password": PASSWORD, "next": "/admin/"})
    assert accepted.status_code == 302
    assert signed_in_user(client) == local_people["breakglass"]


def test_with_passwords_off_a_password_session_opened_before_ends(client, passwords_off, local_people):
    client.force_login(local_people["ordinary"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not response.wsgi_request.user.is_authenticated


def test_with_passwords_off_the_login_page_leads_with_sso(client, passwords_off):
    page = client.get("/login/").content.decode()
    assert page.index("Sign in with SSO") < page.index("Break-glass admin sign-in")


def test_with_passwords_off_sso_still_signs_people_in(client, passwords_off):
    sign_in(client, passwords_off, identity("ada", groups=["hs-tams"]))
    assert roles(signed_in_user(client)) == {permissions.TAM}


def test_the_provider_never_changes_the_break_glass_admins_access(client, passwords_off, local_people):
    sign_in(client, passwords_off, identity("breakglass", email=local_people["breakglass"].email, groups=[]))
    user = signed_in_user(client)
    assert user == local_people["breakglass"]
    user.refresh_from_db()
    assert user.is_superuser


def test_sso_never_sends_a_person_to_another_site_after_sign_in(client, sso_on):
    response = sign_in(client, sso_on, identity("ada", groups=["hs-tams"]), next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) is not None


def test_a_password_sign_in_with_a_code_in_its_address_asks_the_provider_nothing(client, sso_on, local_people):
    response = client.post("/login/?code=stolen&state=s", {"username": "ordinary", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client) == local_people["ordinary"]
    assert sso_on.requests == []


def test_the_admin_login_page_offers_sso_too(client, passwords_off):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert 'href="/oidc/authenticate/?next=/admin/"' in page
    assert "only the break-glass admin" in page


def test_without_sso_the_admin_login_page_is_django_s(client):
    page = client.get("/admin/login/").content.decode()
    assert "Sign in with SSO" not in page
    assert 'name="password"' in page
