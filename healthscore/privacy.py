"""Keeping note text (and meeting summaries) out of caches and error reports.

Every error report of every page uses the same filter (settings DEFAULT_EXCEPTION_REPORTER_FILTER:
triage plans, sentiment reasons and posted text are as private as notes). Every note page, and
every view that renders the account page (which shows meeting summaries
to the account team), is wrapped in `private_page`: `Cache-Control: no-store, private` (never_cache)
so no browser or proxy keeps a copy, and an exception reporter filter that blanks all POST data
and every frame's local variables, so an error email to the ADMINS (Django's mail_admins) or an
error report never carries the note being written or read. Model `__str__`s name ids and
dates only, for the same reason.
"""

from functools import wraps

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
