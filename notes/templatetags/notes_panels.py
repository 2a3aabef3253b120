"""Pieces of other apps' pages that the notes app renders (account page panel, navigation)."""

from django import template

register = template.Library()


@register.inclusion_tag("notes/_account_panel.html", takes_context=True)
def notes_account_panel(context, account):
    """The notes panel on the account page (filled in by the notes issue)."""
    return {"account": account, "request": context.get("request")}


@register.inclusion_tag("notes/_nav.html", takes_context=True)
def notes_nav(context):
    """The notes app's links in the main navigation."""
    return {"request": context.get("request"), "user": context.get("user")}
