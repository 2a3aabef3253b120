"""Throttling per token: each token has its own budget (API_THROTTLE_RATE, default 600/minute);
a browser session counts per user, an anonymous caller per address."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"addr-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
