"""Reads for the manager's risk dashboard, one module per concern:

scope.py    the filters, the keys of colors and TAMs, the filtered accounts, the TAM choices
summary.py  totals and breakdowns (one GROUP BY query)
rows.py     the list, riskiest first, with reasons; the same rows as CSV
history.py  the weekly color chart and the recent color changes
"""

from dashboard.selectors.history import (
    RECENT_CHANGE_DAYS,
    RECENT_CHANGES_SHOWN,
    WEEKS_IN_CHART,
    ColorMove,
    RecentChanges,
    WeekColors,
    dashboard_recent_changes,
    dashboard_weekly_colors,
    week_end_dates,
)
from dashboard.selectors.rows import (
    CSV_HEADER,
    DASHBOARD_ORDER,
    dashboard_csv_rows,
    dashboard_order,
    dashboard_rows,
)
from dashboard.selectors.scope import (
    COLOR_RANK,
    DASHBOARD_COLORS,
    NO_TAM,
    UNSCORED,
    DashboardFilters,
    dashboard_accounts,
    dashboard_tam_choices,
)
from dashboard.selectors.summary import ColorCount, ColorTotals, DashboardSummary, dashboard_summary

__all__ = [
    "COLOR_RANK",
    "CSV_HEADER",
    "DASHBOARD_COLORS",
    "DASHBOARD_ORDER",
    "NO_TAM",
    "RECENT_CHANGES_SHOWN",
    "RECENT_CHANGE_DAYS",
    "UNSCORED",
    "WEEKS_IN_CHART",
    "ColorCount",
    "ColorMove",
    "ColorTotals",
    "DashboardFilters",
    "DashboardSummary",
    "RecentChanges",
    "WeekColors",
    "dashboard_accounts",
    "dashboard_csv_rows",
    "dashboard_order",
    "dashboard_recent_changes",
    "dashboard_rows",
    "dashboard_summary",
    "dashboard_tam_choices",
    "dashboard_weekly_colors",
    "week_end_dates",
]
