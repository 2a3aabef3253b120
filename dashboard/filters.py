"""The risk dashboard's filter form (GET): every account list's form (accounts.listing), so the
dashboard reads its address like the other lists (the dashboard writes nothing: no forms.py)."""

from __future__ import annotations

from django import forms

from accounts import listing
from accounts.listing import AccountListForm, account_list_form
from dashboard.selectors import renewals


def dashboard_filter_form(params) -> AccountListForm:
    """The bound, validated filter form for a request's GET parameters."""
    return account_list_form(params)


class RenewalWindowForm(forms.Form):
    within = forms.TypedChoiceField(
        label="Renewing in the next",
        required=False,
        coerce=int,
        empty_value=renewals.DEFAULT_WINDOW,
        choices=[(str(days), f"{days} days") for days in listing.RENEWAL_WINDOWS],
    )
