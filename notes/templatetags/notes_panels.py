"""Pieces of other apps' pages that the notes app renders (account page panel, navigation)."""

from django import template

from healthscore import clock, permissions
from notes import selectors

register = template.Library()


@register.inclusion_tag("notes/_account_panel.html", takes_context=True)
def notes_account_panel(context, account):
    """Health Score Reasons on the account page: the link to the running notes (for those who may
    read them) with the latest entry's date, the health signals and the current risk categories.
    No note text here: the account page is not a note page."""
    request = context.get("request")
    user = request.user if request else None
    can_read = bool(user) and permissions.can_read_notes(user, account)
    return {
        "account": account,
        "request": request,
        "can_read": can_read,
        "can_edit": bool(user) and permissions.can_edit_account(user, account),
        "latest_entry": selectors.latest_entry_date(account) if can_read else None,
        "signals": selectors.account_signals(account, clock.today()),
        "risk": selectors.risk_current(account),
    }


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
