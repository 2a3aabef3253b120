"""What the dashboard shows: its filters, the keys of its colors and TAMs, the TAM choices.

Every dashboard read applies the same DashboardFilters (to Account, or through a snapshot's
account), so the totals, the breakdowns, the list, the chart and the CSV always agree."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts import listing
from accounts.listing import NO_TAM, UNSCORED, AccountFilters, color_q
from accounts.models import Account, Color

__all__ = [
    "COLOR_RANK",
    "DASHBOARD_COLORS",
    "NO_TAM",
    "UNSCORED",
    "DashboardFilters",
    "color_q",
    "dashboard_accounts",
    "dashboard_tam_choices",
]

DASHBOARD_COLORS = listing.LIST_COLORS
# Worst first: red, yellow, unscored, green (an unscored account is a blind spot, not a success).
COLOR_RANK = {Color.RED.value: 0, Color.YELLOW.value: 1, UNSCORED: 2, Color.GREEN.value: 3}

# The dashboard's filters are every account list's (accounts.listing): one parsing layer, one
# condition, so the dashboard, its CSV and the other lists agree on what a filter means.
DashboardFilters = AccountFilters


def dashboard_accounts(filters: DashboardFilters, today: dt.date) -> QuerySet[Account]:
    """The accounts the dashboard shows, filtered (current health, current team)."""
    return Account.objects.filter(filters.q(today))


def dashboard_tam_choices() -> list[tuple[int, str]]:
    """Everyone who can own accounts, for the TAM filter."""
    return listing.tam_choices()
