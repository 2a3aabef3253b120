import datetime as dt
from decimal import Decimal

import factory

from accounts.models import HealthSnapshot
from accounts.tests.factories import AccountFactory
from quality.models import Outcome, RenewalOutcome


class RenewalOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RenewalOutcome

    account = factory.SubFactory(AccountFactory)
    date = dt.date(2026, 10, 1)
    outcome = Outcome.RENEWED
    arr = Decimal("100000")


def stored_inputs(
    *,
    sentiment: str | None = "green",
    meeting_days_before: int = 10,
    as_of: dt.date,
    tickets: int = 0,
    active_plan: bool = True,
    segment: str = "enterprise",
    arr: str = "120000.00",
) -> dict:
    """A snapshot's inputs as accounts.scoring.inputs.ScoreInputs.record writes them."""
    return {
        "segment": segment,
        "arr": arr,
        "last_held_meeting": (as_of - dt.timedelta(days=meeting_days_before)).isoformat(),
        "tickets_in_window": tickets,
        "active_plan": active_plan,
        "draft_plan": False,
        "sentiment": sentiment,
        "sentiment_date": (as_of - dt.timedelta(days=5)).isoformat() if sentiment else None,
        "score_unrounded": None,
    }


def snapshot(account, date: dt.date, color: str | None, **inputs) -> HealthSnapshot:
    return HealthSnapshot.objects.create(
        account=account, date=date, color=color, score=None, inputs=stored_inputs(as_of=date, **inputs)
    )
