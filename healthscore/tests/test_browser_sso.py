"""A person signs in with SSO in Chromium: our login page, the provider on loopback, back signed in."""

import pytest

from healthscore import permissions
from healthscore.models import RoleChange
from healthscore.tests.oidc_provider import running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tam_signs_in_with_sso_and_lands_on_my_accounts(page, live_server, settings):
    with running_provider() as provider:
        for name, value in provider.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "healthscore.sso.RoleMappingBackend"]
        settings.OIDC_ROLE_GROUPS = {"TAM": ["hs-tams"], "Manager": [], "Admin": []}
        provider.identity = {
            "sub": "sub-ana",
            "email": "ana@example.com",
            "email_verified": True,
            "preferred_username": "ana",
            "groups": ["hs-tams"],
        }
        violations = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)

        page.goto(f"{live_server.url}/login/")
        page.get_by_role("link", name="Sign in with SSO").click()
        page.wait_for_url(f"{live_server.url}/my/")

        assert page.get_by_role("heading", level=1).inner_text() == "My accounts"
        assert ("POST", "/token") in provider.requests
        assert RoleChange.objects.filter(username="ana", role=permissions.TAM, action="added", via="sso").exists()
        assert violations == []
