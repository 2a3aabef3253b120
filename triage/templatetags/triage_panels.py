"""The triage app's navigation links and template filters (its account page panel: triage/panels.py)."""

from django import template

from healthscore import permissions
from triage import selectors

register = template.Library()


@register.inclusion_tag("triage/_nav.html", takes_context=True)
def triage_nav(context):
    """The triage app's links in the main navigation, with the open CTA count."""
    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    path = getattr(request, "path", "")
    return {
        "show": True,
        "has_role": permissions.can_read_accounts(user),
        "open_ctas": selectors.open_cta_count(user) if permissions.is_tam(user) else 0,
        "section": (
            ""  # the notifications app's page, under /triage/notifications/
            if path.startswith("/triage/notifications/")
            else "records"
            if path.startswith("/triage/records/")
            else "cockpit"
            if path.startswith("/triage/")
            else ""
        ),
    }


@register.filter
def can_act_on(user, account) -> bool:
    """{% if user|can_act_on:account %}: the account's TAM, or an admin."""
    return permissions.can_edit_account(user, account)


@register.filter
def get_item(mapping, key):
    """{{ card_errors|get_item:cta.pk }}: a dict's value for a key (nothing when absent)."""
    return mapping.get(key) if mapping else None
