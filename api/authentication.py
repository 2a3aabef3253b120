"""Personal API tokens as a DRF authentication: `Authorization: Bearer hs_...`."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import selectors, services

INVALID = "Invalid, expired or revoked API token."


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A user's personal token; request.auth is the ApiToken (the throttle counts per token)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        token = selectors.token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID)
        services.token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes an anonymous request a 401 (with this header), not a 403.
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (API tokens page)."}
