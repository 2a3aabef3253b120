"""Keeping note text (and meeting summaries) out of caches and error reports.

Every error report of every page uses the same filter (settings DEFAULT_EXCEPTION_REPORTER_FILTER:
triage plans, sentiment reasons and posted text are as private as notes). Every note page, and
every view that renders the account page (which shows meeting summaries
to the account team), is wrapped in `private_page`: `Cache-Control: no-store, private` (never_cache)
so no browser or proxy keeps a copy, and an exception reporter filter that blanks all POST data
and every frame's local variables, so an error email to the ADMINS (Django's mail_admins) or an
error report never carries the note being written or read. Model `__str__`s name ids and
dates only, for the same reason.

Sentry (settings SENTRY_DSN) follows the same rule through `scrub_error_event`, its before_send:
no request body, no cookies or credentials, no query string (a notes search carries words from
meeting notes), no frame's local variables, no breadcrumb data (SQL parameters).
"""

from functools import wraps
from typing import Any

from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.cache import never_cache


class NotesExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports of note pages: POST values and local variables are always blanked."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


def private_page(view):
    """A note page: not cached anywhere, and its error reports carry no note text."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.exception_reporter_filter = NotesExceptionReporterFilter()
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


FILTERED = "[Filtered]"
# Request headers that carry a credential or a session.
SECRET_HEADERS = {"cookie", "authorization", "x-csrftoken", "proxy-authorization"}


def _frames(event: dict[str, Any]):
    for section in ("exception", "threads"):
        for value in (event.get(section) or {}).get("values") or []:
            yield from (value.get("stacktrace") or {}).get("frames") or []


def scrub_error_event(event: dict[str, Any], hint: dict | None = None) -> dict[str, Any]:
    """Sentry's before_send: the event without anything a person wrote (notes, sentiment reasons,
    triage plans), nor cookies or credentials. Pure: the same event in, a cleaned event out."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies"):
            if request.get(key):
                request[key] = FILTERED
        if request.get("query_string"):
            request["query_string"] = FILTERED
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: (FILTERED if name.lower() in SECRET_HEADERS else value) for name, value in headers.items()
            }
    for frame in _frames(event):
        frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb.pop("data", None)
    if event.get("extra"):
        event["extra"] = {key: FILTERED for key in event["extra"]}
    return event
