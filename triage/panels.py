"""The triage panel of the account page (registered in TriageConfig.ready())."""

from healthscore import clock, permissions
from triage import selectors


def account_panel_context(context, account) -> dict | None:
    """The open triage record, the open CTAs and their actions; for anyone with a role."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_read_accounts(user):
        return None
    return {
        "show": True,
        "account": account,
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "can_edit": permissions.can_edit_account(user, account),
        "next": request.get_full_path(),
        "today": clock.today(),
        **selectors.account_panel(account),
    }
