"""Renewal outcomes, the quality app's panel of the account page (registered in QualityConfig.ready())."""

from healthscore import clock, permissions
from quality import selectors
from quality.forms import OutcomeForm
from quality.permissions import can_record_outcome

PANEL_LIMIT = 20


def account_panel_context(context, account) -> dict | None:
    """Anyone who reads the account sees its recorded renewals; its TAM, managers and admins
    also get the form (the renewal date defaults to the account's renewal date once it passed)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_read_account(user, account):
        return None
    can_record = can_record_outcome(user, account)
    today = clock.today()
    initial = {"date": account.renewal_date if account.renewal_date and account.renewal_date <= today else today}
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),  # the panel renders in a new context
        "account": account,
        "outcomes": list(selectors.outcomes_of(account)[:PANEL_LIMIT]),
        "can_record": can_record,
        "form": OutcomeForm(initial={**initial, "arr": account.arr}) if can_record else None,
    }
