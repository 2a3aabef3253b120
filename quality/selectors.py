"""The Scorecard quality page's reads: the renewals of a period with the color each account had
30, 60 and 90 days before, in one query whatever the number of renewals."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
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


def backtests_recorded(period: Period) -> dict[int, backtest.Backtest]:
    """Every horizon's figures with the colors as they were recorded, in one GROUP BY query:
    (color 30, 60 and 90 days before, outcome) -> renewals. The three probes of a renewal read
    the same account's index pages, so the second and third come from the cache."""
    colors = {f"color_{h}": Subquery(_snapshot_then(h).values("color")[:1]) for h in backtest.HORIZONS}
    rows = list(renewals_in(period).annotate(**colors).values_list(*colors, "outcome").annotate(n=Count("pk")))
    return {
        h: backtest.backtest(h, [(row[i], row[-2], row[-1]) for row in rows]) for i, h in enumerate(backtest.HORIZONS)
    }


@dataclass(frozen=True)
class Compared:
    """One horizon's figures as recorded and under a draft configuration."""

    recorded: backtest.Backtest
    draft: backtest.Backtest
    moved: int  # renewals whose color the draft changes


def backtests_compared(period: Period, draft: rules.Rules) -> dict[int, Compared]:
    """Every horizon's figures as recorded and recomputed under `draft` from each snapshot's
    stored inputs, in one query: per renewal, its outcome and, per horizon, its snapshot's date,
    color and inputs (one probe each)."""
    snaps = {
        f"snap_{h}": Subquery(
            _snapshot_then(h).values(snap=JSONObject(date="date", color="color", inputs="inputs"))[:1]
        )
        for h in backtest.HORIZONS
    }
    # (color as recorded, color under the draft, outcome) -> renewals, per horizon.
    pairs = {h: Counter() for h in backtest.HORIZONS}
    for outcome, *found in renewals_in(period).annotate(**snaps).values_list("outcome", *snaps):
        for h, snap in zip(backtest.HORIZONS, found, strict=True):
            snap = _json(snap)
            color = new = None
            if snap:
                color = snap.get("color")
                new = backtest.stored_color(_json(snap.get("inputs")), draft, dt.date.fromisoformat(snap["date"][:10]))
            pairs[h][color, new, outcome] += 1
    return {
        h: Compared(
            backtest.backtest(h, [(color, outcome, n) for (color, _, outcome), n in counts.items()]),
            backtest.backtest(h, [(new, outcome, n) for (_, new, outcome), n in counts.items()]),
            sum(n for (color, new, _), n in counts.items() if color != new),
        )
        for h, counts in pairs.items()
    }


def _json(value):
    """A JSON value as the driver gives it: parsed already (PostgreSQL) or as text (SQLite)."""
    return json.loads(value) if isinstance(value, str) else value


def current_rules(segment: str) -> rules.Rules:
    """The segment's configuration in force (the draft form's starting values)."""
    return inputs.rules_by_segment()[segment]


def outcomes_of(account: Account) -> QuerySet[RenewalOutcome]:
    """The account page's panel: its recorded renewals, newest first."""
    return account.renewal_outcomes.select_related("recorded_by").order_by("-date")
