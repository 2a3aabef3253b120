"""The locked writes of health: the only code that stores scores, snapshots and an account's
current health."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When

from accounts import events
from accounts.models import Account, HealthSnapshot
from accounts.scoring import inputs, rules
from healthscore import clock

# Accounts scored per round trip: bounds memory; each chunk costs a fixed number of queries.
RECOMPUTE_CHUNK = 2000


@dataclass(frozen=True)
class ColorChange:
    """An account's overall color moved (old is None the first time it is scored)."""

    account_id: int
    old: str | None
    new: str | None
    as_of: dt.date


# Called inside the transaction when a TAM updates or confirms an account's health (the
# Customer Health Score Date moved to today); triage closes its "Update health score" CTA here.
health_update_listeners: list[Callable[[Account], None]] = []


def snapshots_store(*, results: Iterable[tuple[Account, rules.Result]], as_of: dt.date) -> list[ColorChange]:
    """Persist scorecards as of a date (one snapshot per account and day) and move each
    account's current health forward; a constant number of queries for any number of accounts.

    The Customer Health Score Date moves to `as_of` when the overall color changes. Snapshots
    for a date before an account's latest one are stored as history and leave its current
    health alone (backfills). Call it inside a transaction (the callers here do): the
    outbox row (accounts.events) is written there, atomically with the change.
    """
    results = list(results)
    if not results:
        return []
    snapshots = [
        HealthSnapshot(
            account=account,
            date=as_of,
            score=result.score_rounded,
            color=result.color,
            measures=result.measures_dict(),
            inputs=_inputs_record(account, result),
        )
        for account, result in results
    ]
    HealthSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["account", "date"],
        update_fields=["score", "color", "measures", "inputs", "computed_at"],
    )
    changes = [
        ColorChange(account.pk, account.health_color, result.color, as_of)
        for account, result in results
        if account.health_color != result.color and (account.scored_on is None or account.scored_on <= as_of)
    ]
    ids = [account.pk for account, _ in results]
    snapshot = HealthSnapshot.objects.filter(account=OuterRef("pk"), date=as_of)
    new_color = Subquery(snapshot.values("color")[:1])
    Account.objects.filter(pk__in=ids).filter(Q(scored_on__isnull=True) | Q(scored_on__lte=as_of)).update(
        health_date=Case(
            When(
                Q(health_date__isnull=True) | ~Q(health_color=new_color) | Q(health_color__isnull=True),
                then=Value(as_of),
            ),
            default=F("health_date"),
        ),
        health_color=new_color,
        health_score=Subquery(snapshot.values("score")[:1]),
        scored_on=Value(as_of),
    )
    if changes:
        # The outbox row, atomically with the change; its delivery is enqueued on commit, so a
        # rolled-back change triggers nothing.
        events.health_changes_record(changes)
    return changes


def _inputs_record(account: Account, result: rules.Result) -> dict:
    """What produced the score, stored with it so a TAM can always see why."""
    return {
        "segment": account.segment,
        "arr": str(account.arr),
        "last_held_meeting": _iso(account.in_last_held),
        "tickets_in_window": account.in_tickets,
        "active_plan": account.in_active_plan,
        "draft_plan": account.in_draft_plan,
        "sentiment": account.in_sentiment,
        "sentiment_date": _iso(account.in_sentiment_date),
        "score_unrounded": None if result.score is None else str(result.score),
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def scores_recompute(
    *,
    as_of: dt.date | None = None,
    accounts: QuerySet[Account] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = RECOMPUTE_CHUNK,
) -> int:
    """Score accounts (all by default) as of a date and store the snapshots; returns how many.

    Set-based: per chunk of accounts, a fixed number of queries whatever the chunk's size.
    """
    as_of = as_of or clock.today()
    accounts = (accounts if accounts is not None else Account.objects.all()).order_by("pk")
    segment_rules = inputs.rules_by_segment()
    done = 0
    last_pk = 0
    while True:
        chunk = list(
            inputs.accounts_with_scorecard_inputs(accounts.filter(pk__gt=last_pk), as_of, segment_rules)[:chunk_size]
        )
        if not chunk:
            break
        results = [
            (account, rules.compute(inputs.inputs_from_annotated(account), segment_rules[account.segment], as_of))
            for account in chunk
        ]
        with transaction.atomic():
            snapshots_store(results=results, as_of=as_of)
        done += len(chunk)
        last_pk = chunk[-1].pk
        if progress:
            progress(len(chunk))
        if len(chunk) < chunk_size:
            break
    return done


@transaction.atomic
def account_rescore(*, account: Account, as_of: dt.date | None = None) -> rules.Result:
    """Recompute and store one account's scorecard (after a sentiment update, a meeting, ...)."""
    as_of = as_of or clock.today()
    [(annotated, result)] = inputs.scorecards_compute(Account.objects.filter(pk=account.pk), as_of)
    snapshots_store(results=[(annotated, result)], as_of=as_of)
    account.refresh_from_db(fields=["health_color", "health_score", "health_date", "scored_on"])
    return result
