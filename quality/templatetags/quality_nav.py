from django import template

from healthscore import permissions

register = template.Library()


@register.inclusion_tag("quality/_nav.html", takes_context=True)
def quality_nav(context):
    """The quality app's link in the main navigation: Scorecard quality, for managers and admins."""
    request = context.get("request")
    user = context.get("user")
    return {
        "show": bool(user) and permissions.is_manager(user),
        "current": bool(request) and request.path.startswith("/quality/"),
    }
