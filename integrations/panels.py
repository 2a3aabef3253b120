"""The account page's GitLab panel (registered in IntegrationsConfig.ready()): the issue of each
of the account's triage records in the Account Triage project, and how its sync is doing."""

from healthscore import permissions
from integrations import selectors
from integrations.config import gitlab_config

PANEL_LIMIT = 20


def account_panel_context(context, account) -> dict | None:
    """For anyone who may read the account; shown only once a record has an issue row. Without
    the GitLab settings the page is as before: no panel, no query."""
    if gitlab_config() is None:
        return None
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_read_account(user, account):
        return None
    issues = list(selectors.account_issues(account)[:PANEL_LIMIT])
    if not issues:
        return None
    return {"show": True, "issues": issues}
