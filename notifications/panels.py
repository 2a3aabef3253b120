"""The notifications panel of the account page (registered in NotificationsConfig.ready()):
every notification sent about the account, to whom, why, and whether the email went out."""

from healthscore import permissions
from notifications import selectors

PANEL_LIMIT = 50


def account_panel_context(context, account) -> dict | None:
    """For anyone who may read the account: the names and roles told are not secret, and the
    notifications carry no note text."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_read_account(user, account):
        return None
    rows = list(selectors.notifications_about(account)[: PANEL_LIMIT + 1])  # one more: "there are more"
    return {"show": True, "notifications": rows[:PANEL_LIMIT], "more": len(rows) > PANEL_LIMIT}
