"""Demo data of the quality app, called by seed_demo last: renewal outcomes for renewals of the
last six weeks, drawn so that red predicts churn imperfectly, as it does in life. The demo scores
only 13 weeks; the Scorecard quality page looks up to 90 days before a renewal, so the weeks
before them are scored too (history only: current health never moves backwards)."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from decimal import Decimal

from accounts.models import Account, HealthSnapshot
from accounts.scoring.services import scores_recompute
from quality.models import Outcome, RenewalOutcome

# Renewals dated in the last RENEWAL_DAYS days, for this share of the accounts.
RENEWAL_DAYS = 42
RENEWED_SHARE = 0.45
# Weekly scores before the demo's 13 weeks, so every renewal has a color 90 days before it.
EXTRA_WEEKS = 7
# How each color 60 days before a renewal ended (renewed, expanded, downsell, churned): red is
# the riskiest, but some red accounts renew and some green ones leave.
ODDS = {
    "green": (68, 22, 7, 3),
    "yellow": (58, 8, 20, 14),
    "red": (33, 2, 25, 40),
    None: (60, 10, 15, 15),
}
OUTCOMES = (Outcome.RENEWED, Outcome.EXPANDED, Outcome.DOWNSELL, Outcome.CHURNED)


def seed(*, today: dt.date, rng: random.Random) -> None:
    first = HealthSnapshot.objects.order_by("date").values_list("date", flat=True).first() or today
    every = Account.objects.all()  # a queryset (not None): history only, no day's color counts
    for week in range(1, EXTRA_WEEKS + 1):
        scores_recompute(as_of=first - dt.timedelta(weeks=week), accounts=every)
    history: dict[int, list[tuple[dt.date, str | None]]] = {}
    for account_id, date, color in HealthSnapshot.objects.order_by("account_id", "date").values_list(
        "account_id", "date", "color"
    ):
        history.setdefault(account_id, []).append((date, color))
    outcomes = []
    for pk, arr in Account.objects.order_by("pk").values_list("pk", "arr"):
        if rng.random() >= RENEWED_SHARE:
            continue
        date = today - dt.timedelta(days=rng.randrange(1, RENEWAL_DAYS + 1))
        outcome = rng.choices(OUTCOMES, weights=ODDS[_color_on(history.get(pk, []), date - dt.timedelta(days=60))])[0]
        factor = {
            Outcome.RENEWED: 1,
            Outcome.EXPANDED: rng.uniform(1.1, 1.5),
            Outcome.DOWNSELL: rng.uniform(0.4, 0.85),
            Outcome.CHURNED: 0,
        }[outcome]
        outcomes.append(
            RenewalOutcome(account_id=pk, date=date, outcome=outcome, arr=(arr * Decimal(factor)).quantize(Decimal(1)))
        )
    RenewalOutcome.objects.bulk_create(outcomes)
    RenewalOutcome.history.bulk_history_create(outcomes)


def _color_on(snapshots: list[tuple[dt.date, str | None]], day: dt.date) -> str | None:
    """The color of the latest snapshot on or before `day` (as the page reads it)."""
    i = bisect.bisect_right(snapshots, (day, "~"))
    return snapshots[i - 1][1] if i else None
