"""Single sign-on with OpenID Connect (mozilla-django-oidc), and password sign-in for break-glass only.

Off unless OIDC_RP_CLIENT_ID is set (settings.SSO_ENABLED); then /login/ shows "Sign in with SSO",
which runs the authorization code flow (with PKCE) against the identity provider. At each sign-in
the provider's group claim (settings.OIDC_GROUPS_CLAIM) is mapped to the TAM / Manager / Admin
roles (settings.OIDC_ROLE_GROUPS) and the person's roles are set to exactly that, through the
audited role service: a group removed in the provider is a role removed at the next sign-in.

With OIDC_PASSWORD_LOGIN=false, passwords are refused on /login/ and /admin/login/ for everyone
but settings.OIDC_BREAK_GLASS_USERNAME (the admin who can still get in when the provider is down);
settings then swap Django's password backend for BreakGlassPasswordBackend, which also ends every
session that was opened with a password before.
"""

from __future__ import annotations

import logging
from functools import wraps

import jwt
import requests
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from healthscore import permissions
from healthscore.roles import user_roles_set

logger = logging.getLogger(__name__)

PASSWORDS_OFF = "Password sign-in is turned off: use Sign in with SSO on the login page."
SSO_FAILED = "Single sign-on did not complete. Try again; if it keeps failing, ask an admin."


# --- The rules, pure ---------------------------------------------------------------------------


def groups_in(claims: dict, claim: str) -> set[str]:
    """The provider's groups: a list, or one string (some providers send a single group so)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {str(group) for group in value}
    return set()


def roles_for(groups: set[str], mapping: dict[str, list[str]]) -> set[str]:
    """The Healthscore roles whose mapped provider groups the person is in."""
    return {role for role, mapped in mapping.items() if role in permissions.ROLES and groups & set(mapped)}


def password_allowed(username: str) -> bool:
    """Passwords are on, or this is the break-glass admin."""
    if settings.OIDC_PASSWORD_LOGIN:
        return True
    return bool(settings.OIDC_BREAK_GLASS_USERNAME) and username == settings.OIDC_BREAK_GLASS_USERNAME


# --- Password sign-in ----------------------------------------------------------------------------


class BreakGlassPasswordBackend(ModelBackend):
    """Django's password check, for the break-glass admin only (used when passwords are off)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or not password_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class _PasswordsOffCheck:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not password_allowed(username):
            # Refused before any password is compared; no failed attempt is counted either.
            raise forms.ValidationError(PASSWORDS_OFF, code="passwords_off")
        return super().clean()


class LoginForm(_PasswordsOffCheck, AuthenticationForm):
    pass


class AdminLoginForm(_PasswordsOffCheck, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    """/login/: the password form, and "Sign in with SSO" when single sign-on is on."""

    form_class = LoginForm
    redirect_authenticated_user = True


def login_options(request) -> dict:
    """Context processor: what both login pages (the app's and the admin's) offer."""
    return {"sso_enabled": settings.SSO_ENABLED, "password_login": settings.OIDC_PASSWORD_LOGIN}


# --- Single sign-on --------------------------------------------------------------------------------


class RoleMappingBackend(OIDCAuthenticationBackend):
    """Signs a person in from the provider's ID token and userinfo, and sets their roles from its groups."""

    def authenticate(self, request, **kwargs):
        # Only the callback's code exchange: a password sign-in with ?code= in its URL is no SSO.
        if request is None or "password" in kwargs or request.path != reverse("oidc_authentication_callback"):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as exc:
            # The provider unreachable, a bad signature, a token for another client: no sign-in,
            # a message on the login page, and the reason in the log (never a 500).
            logger.warning("Single sign-on refused: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about someone else than the ID token.")
        # Groups may come in the ID token, the userinfo answer, or both.
        self.claims = {**payload, **userinfo}
        return self.claims

    def verify_claims(self, claims):
        # People are matched to existing users by email: an address the provider has not verified
        # could take over someone else's user.
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def create_user(self, claims):
        wanted = (claims.get("preferred_username") or "").strip()[:150]
        username = wanted if wanted and not self.UserModel.objects.filter(username=wanted).exists() else None
        username = username or claims["email"][:150]
        return self.UserModel.objects.create_user(
            username,
            email=claims["email"],
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and user.get_username() != settings.OIDC_BREAK_GLASS_USERNAME:
            # The break-glass admin's access never depends on the provider.
            groups = groups_in(self.claims, settings.OIDC_GROUPS_CLAIM)
            user_roles_set(user=user, roles=roles_for(groups, settings.OIDC_ROLE_GROUPS), via="sso")
        return user


def _sso_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return wrapper


class CallbackView(OIDCAuthenticationCallbackView):
    def login_failure(self):
        messages.error(self.request, SSO_FAILED)
        return redirect("login")


urlpatterns = [
    path("authenticate/", _sso_only(OIDCAuthenticationRequestView.as_view()), name="oidc_authentication_init"),
    path("callback/", _sso_only(CallbackView.as_view()), name="oidc_authentication_callback"),
]
