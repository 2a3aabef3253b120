"""Session lifetime and private pages.

A session ends after SESSION_IDLE_SECONDS without a request (default 8 hours) and, whatever the
activity, SESSION_MAX_SECONDS after its login (default 24 hours). The last-seen time is written
at most once a minute, so a busy user does not cost a session write per request. Every response
to a signed-in user is `Cache-Control: no-store, private`: those pages show accounts, sentiment
reasons and meeting text, and no browser or proxy may keep a copy.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

STARTED = "healthscore_session_started"
SEEN = "healthscore_session_seen"
SEEN_RESOLUTION_SECONDS = 60


def session_clock_start(sender, request, user, **kwargs) -> None:
    """At login (the user_logged_in signal, connected by the accounts app): the session starts now.
    Written with the login's own session save, so the first page costs no extra write."""
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = time.time()


class SessionLifetimeMiddleware:
    """Logs an idle or too old session out; the view then sends the user to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, time.time()
            started, seen = session.get(STARTED), session.get(SEEN)
            if started is None or seen is None:
                session[STARTED] = session[SEEN] = now
            elif now - seen > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_MAX_SECONDS:
                logout(request)
            elif now - seen > SEEN_RESOLUTION_SECONDS:
                session[SEEN] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """No page shown to a signed-in user is cached anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
