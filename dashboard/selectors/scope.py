"""What the dashboard shows: its filters, the keys of its colors and TAMs, the TAM choices.

Every dashboard read applies the same DashboardFilters (to Account, or through a snapshot's
account), so the totals, the breakdowns, the list, the chart and the CSV always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from accounts.models import Account, Color
from accounts.scoring import inputs
from healthscore import permissions

UNSCORED = "none"  # the filter and breakdown key for accounts without a color yet
NO_TAM = "none"  # the TAM filter and breakdown key for accounts without a TAM
DASHBOARD_COLORS = (Color.RED.value, Color.YELLOW.value, Color.GREEN.value, UNSCORED)
# Worst first: red, yellow, unscored, green (an unscored account is a blind spot, not a success).
COLOR_RANK = {Color.RED.value: 0, Color.YELLOW.value: 1, UNSCORED: 2, Color.GREEN.value: 3}


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's filters; None means "any". tam=0 means accounts without a TAM."""

    region: str | None = None
    segment: str | None = None
    tam: int | None = None
    color: str | None = None  # "green", "yellow", "red" or UNSCORED
    public_sector: bool | None = None
    stale: bool | None = None

    def q(self, today: dt.date, prefix: str = "") -> Q:
        """The filters as a condition on Account, or on a model pointing at it (prefix "account__")."""
        condition = self.dimensions_q(prefix)
        if self.stale is not None:
            stale = inputs.stale_q(today, prefix)
            condition &= stale if self.stale else ~stale
        return condition

    def dimensions_q(self, prefix: str = "") -> Q:
        """Every filter but staleness (which depends on the day), as a condition on Account or on
        a table with the same columns (the daily color counts)."""
        condition = Q()
        if self.region:
            condition &= Q(**{f"{prefix}region": self.region})
        if self.segment:
            condition &= Q(**{f"{prefix}segment": self.segment})
        if self.tam is not None:
            condition &= Q(**{f"{prefix}tam__isnull": True}) if self.tam == 0 else Q(**{f"{prefix}tam": self.tam})
        if self.color:
            condition &= color_q(self.color, prefix)
        if self.public_sector is not None:
            condition &= Q(**{f"{prefix}public_sector": self.public_sector})
        return condition


def color_q(color: str, prefix: str = "") -> Q:
    """An account's current color as a condition; UNSCORED is "no color yet"."""
    if color == UNSCORED:
        return Q(**{f"{prefix}health_color__isnull": True})
    return Q(**{f"{prefix}health_color": color})


def dashboard_accounts(filters: DashboardFilters, today: dt.date) -> QuerySet[Account]:
    """The accounts the dashboard shows, filtered (current health, current team)."""
    return Account.objects.filter(filters.q(today))


def dashboard_tam_choices() -> list[tuple[int, str]]:
    """Everyone who can own accounts for the TAM filter: the TAM group and the current owners."""
    users = (
        User.objects.filter(Q(groups__name=permissions.TAM) | Q(pk__in=Account.objects.values("tam_id")))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [(u.pk, u.get_full_name() or u.username) for u in users]
