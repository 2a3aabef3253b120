"""Health Score Reasons, the notes panel of the account page (registered in NotesConfig.ready())."""

from healthscore import clock, permissions
from notes import selectors


def account_panel_context(context, account) -> dict:
    """The link to the running notes (for those who may read them) with the latest entry's date,
    the health signals and the current risk categories. No note text here: the account page is
    not a note page."""
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
