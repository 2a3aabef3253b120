"""Pieces of other pages that the notifications app renders (the navigation link)."""

from django import template

from notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_nav.html", takes_context=True)
def notifications_nav(context):
    """The notifications link in the main navigation, with the unread count."""
    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "unread": selectors.unread_count(user),
        "current": getattr(request, "path", "").startswith("/triage/notifications/"),
    }
