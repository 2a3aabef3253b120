"""Project-wide request guards."""

from django.http import Http404

NUL = "\x00"


class RejectNulMiddleware:
    """A NUL byte in the path or the query string is a 404.

    No URL or filter of ours has one, and PostgreSQL refuses NUL in a string ("A string literal
    cannot contain NUL"), so letting it reach a lookup is a 500. Posted fields are the forms'
    business: Django's CharField refuses NUL with a form error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if NUL in request.path or any(NUL in key or any(NUL in v for v in query.getlist(key)) for key in query):
            raise Http404("Not found")
        return self.get_response(request)
