"""The notes app's navigation links (its account page panel: notes/panels.py)."""

from django import template

from healthscore import permissions

register = template.Library()


@register.inclusion_tag("notes/_nav.html", takes_context=True)
def notes_nav(context):
    """The notes app's links in the main navigation."""
    request = context.get("request")
    user = context.get("user")
    return {
        "request": request,
        "user": user,
        "show": bool(user) and permissions.can_read_accounts(user),
        "current": bool(request) and request.path.startswith("/notes/search/"),
    }
