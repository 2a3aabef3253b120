"""A small, exactly known portfolio for the risk dashboard tests (selectors, views, browser)."""

import datetime as dt
from decimal import Decimal

from accounts.models import Account, HealthSnapshot, Region, Segment
from accounts.scoring import rules
from accounts.tests.factories import AccountFactory

GREEN_MEASURES = {
    "engagement": {"color": "green", "weight": 10, "effective_weight": 10.0, "detail": "5 days since last meeting"},
    "roi": {"color": "green", "weight": 10, "effective_weight": 10.0, "detail": "Active success plan"},
    "support": {"color": "green", "weight": 5, "effective_weight": 5.0, "detail": "1 ticket opened"},
    "sentiment": {"color": "green", "weight": 75, "effective_weight": 75.0, "detail": "Set to green on 2026-11-01"},
}


def measures(**colors_and_details) -> dict:
    """GREEN_MEASURES with some measures replaced, e.g. support=("red", "20 tickets opened")."""
    result = {name: dict(m) for name, m in GREEN_MEASURES.items()}
    for name, (color, detail) in colors_and_details.items():
        result[name] = {**result[name], "color": color, "detail": detail}
    return result


def scored_account(
    *,
    color: str | None,
    score: str | None,
    arr: int,
    scored_on: dt.date | None,
    health_date: dt.date | None,
    snapshot_measures: dict | None = None,
    **fields,
) -> Account:
    """An account whose current health is set, with its latest snapshot stored on scored_on and
    why it has its color kept on the account, as the engine keeps them."""
    if scored_on is not None:
        fields.setdefault(
            "health_reasons", reasons(snapshot_measures or GREEN_MEASURES, fields.get("sentiment_reason"))
        )
    account = AccountFactory(
        health_color=color,
        health_score=None if score is None else Decimal(score),
        arr=Decimal(arr),
        scored_on=scored_on,
        health_date=health_date,
        **fields,
    )
    if scored_on is not None:
        HealthSnapshot.objects.create(
            account=account,
            date=scored_on,
            color=color,
            score=None if score is None else Decimal(score),
            measures=snapshot_measures or GREEN_MEASURES,
        )
    return account


def reasons(measures: dict, written: str | None = None) -> str:
    """Why an account with these measures has its color, as the engine words it on the account."""
    return rules.reasons_text(
        rules.health_reasons([(n, m["color"], m["detail"]) for n, m in measures.items()], written)
    )


def snapshot(account: Account, date: dt.date, color: str | None) -> HealthSnapshot:
    scores = {"green": "90.0", "yellow": "60.0", "red": "20.0", None: None}
    return HealthSnapshot.objects.update_or_create(
        account=account, date=date, defaults={"color": color, "score": scores[color]}
    )[0]


def portfolio(today: dt.date, *, tam, other_tam) -> dict[str, Account]:
    """Four accounts, one per color, across two regions and segments.

    Stale rule as of 2026-11-24: Enterprise before 2026-10-24, Commercial before 2026-08-24.
    """
    green = scored_account(
        name="Green Ent EMEA",
        color="green",
        score="92.5",
        arr=100_000,
        region=Region.EMEA,
        segment=Segment.ENTERPRISE,
        tam=tam,
        scored_on=today,
        health_date=dt.date(2026, 10, 23),  # a day too old for Enterprise: stale
    )
    yellow = scored_account(
        name="Yellow Com EMEA",
        color="yellow",
        score="62.5",
        arr=200_000,
        region=Region.EMEA,
        segment=Segment.COMMERCIAL,
        tam=tam,
        public_sector=True,
        scored_on=today,
        health_date=dt.date(2026, 8, 24),  # exactly a quarter: still current for Commercial
        snapshot_measures=measures(
            engagement=("yellow", "45 days since last meeting on 2026-10-10 (green up to 30 days, yellow up to 60)"),
            sentiment=("yellow", "Set to yellow on 2026-11-20"),
        ),
    )
    red = scored_account(
        name="Red Ent APAC",
        color="red",
        score="12.5",
        arr=300_000,
        region=Region.APAC,
        segment=Segment.ENTERPRISE,
        tam=other_tam,
        scored_on=today,
        health_date=dt.date(2026, 10, 24),  # exactly a month: current
        snapshot_measures=measures(
            roi=("red", "No success plan"),
            support=("red", "20 tickets opened in the last 30 days (green up to 5, yellow up to 15)"),
            sentiment=("red", "Set to red on 2026-11-24"),
        ),
    )
    unscored = scored_account(
        name="Unscored Com APAC",
        color=None,
        score=None,
        arr=50_000,
        region=Region.APAC,
        segment=Segment.COMMERCIAL,
        tam=None,
        scored_on=None,
        health_date=None,  # never set: stale
    )
    return {"green": green, "yellow": yellow, "red": red, "unscored": unscored}
