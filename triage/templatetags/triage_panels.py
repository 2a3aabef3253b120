"""Pieces of other apps' pages that the triage app renders (account page panel, navigation)."""

from django import template

register = template.Library()


@register.inclusion_tag("triage/_account_panel.html", takes_context=True)
def triage_account_panel(context, account):
    """The triage panel on the account page (filled in by the triage issue)."""
    return {"account": account, "request": context.get("request")}


@register.inclusion_tag("triage/_nav.html", takes_context=True)
def triage_nav(context):
    """The triage app's links in the main navigation."""
    return {"request": context.get("request"), "user": context.get("user")}
