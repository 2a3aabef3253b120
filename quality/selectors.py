"""The Scorecard quality page's reads: the renewals of a period with the color each account had
N days before, one query per horizon whatever the number of renewals."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Count, DateField, ExpressionWrapper, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, JSONObject

from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs, rules
from quality import backtest
from quality.models import RenewalOutcome


@dataclass(frozen=True)
class Period:
    """The renewals dated from `start` to `end` (both included), of one segment or all ("")."""

    start: dt.date
    end: dt.date
    segment: str = ""


def renewals_in(period: Period) -> QuerySet[RenewalOutcome]:
    renewals = RenewalOutcome.objects.filter(date__gte=period.start, date__lte=period.end)
    if period.segment:
        renewals = renewals.filter(account__segment=period.segment)
    return renewals.order_by()


def _snapshot_then(horizon: int) -> QuerySet[HealthSnapshot]:
    """The account's latest snapshot dated on or before (renewal date − horizon days): one
    backward probe of the (account, date) unique index per renewal."""
    # Cast back to a date: PostgreSQL's date − interval is a timestamp, which the date index
    # would compare by casting every row.
    cutoff = Cast(
        ExpressionWrapper(OuterRef("date") - dt.timedelta(days=horizon), output_field=DateField()), DateField()
    )
    return HealthSnapshot.objects.filter(account_id=OuterRef("account_id"), date__lte=cutoff).order_by("-date")


def backtest_recorded(period: Period, horizon: int) -> backtest.Backtest:
    """The figures with the colors as they were recorded: one GROUP BY query (color, outcome)."""
    counts = (
        renewals_in(period)
        .annotate(color_then=Subquery(_snapshot_then(horizon).values("color")[:1]))
        .values_list("color_then", "outcome")
        .annotate(n=Count("pk"))
    )
    return backtest.backtest(horizon, list(counts))


@dataclass(frozen=True)
class Compared:
    """One horizon's figures as recorded and under a draft configuration."""

    recorded: backtest.Backtest
    draft: backtest.Backtest
    moved: int  # renewals whose color the draft changes


def backtest_compared(period: Period, horizon: int, draft: rules.Rules) -> Compared:
    """The figures as recorded and recomputed under `draft` from each snapshot's stored inputs:
    one query (each renewal's outcome and its snapshot's date, color and inputs in one probe)."""
    snapshot = _snapshot_then(horizon).values(snap=JSONObject(date="date", color="color", inputs="inputs"))[:1]
    recorded, drafted = [], []
    moved = 0
    for outcome, snap in renewals_in(period).annotate(snap=Subquery(snapshot)).values_list("outcome", "snap"):
        snap = _json(snap)
        color = snap and snap.get("color")
        new = None
        if snap:
            new = backtest.stored_color(_json(snap.get("inputs")), draft, dt.date.fromisoformat(snap["date"][:10]))
        recorded.append((color, outcome, 1))
        drafted.append((new, outcome, 1))
        moved += color != new
    return Compared(backtest.backtest(horizon, recorded), backtest.backtest(horizon, drafted), moved)


def _json(value):
    """A JSON value as the driver gives it: parsed already (PostgreSQL) or as text (SQLite)."""
    return json.loads(value) if isinstance(value, str) else value


def current_rules(segment: str) -> rules.Rules:
    """The segment's configuration in force (the draft form's starting values)."""
    return inputs.rules_by_segment()[segment]


def outcomes_of(account: Account) -> QuerySet[RenewalOutcome]:
    """The account page's panel: its recorded renewals, newest first."""
    return account.renewal_outcomes.select_related("recorded_by").order_by("-date")
