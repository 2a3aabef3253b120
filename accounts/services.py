"""Writes for the accounts app. Every change to scores and sentiment goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When

from accounts import scorecard, selectors
from accounts.models import Account, HealthSnapshot, Meeting, SentimentEntry, SentimentSource
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


# Called inside the transaction that stores a batch, with its color changes, so a listener can
# write an outbox row atomically with the change (triage does); side effects such as emails or
# enqueued tasks belong in transaction.on_commit, so a rolled-back change triggers nothing.
color_change_listeners: list[Callable[[list[ColorChange]], None]] = []
# Called inside the transaction when a TAM updates or confirms an account's health (the
# Customer Health Score Date moved to today); triage closes its "Update health score" CTA here.
health_update_listeners: list[Callable[[Account], None]] = []


def snapshots_store(*, results: Iterable[tuple[Account, scorecard.Result]], as_of: dt.date) -> list[ColorChange]:
    """Persist scorecards as of a date (one snapshot per account and day) and move each
    account's current health forward; a constant number of queries for any number of accounts.

    The Customer Health Score Date moves to `as_of` when the overall color changes. Snapshots
    for a date before an account's latest one are stored as history and leave its current
    health alone (backfills). Call it inside a transaction (the callers here do): the
    color-change listeners write there, atomically with the change.
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
        for listener in color_change_listeners:
            listener(changes)
    return changes


def _inputs_record(account: Account, result: scorecard.Result) -> dict:
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
    rules = selectors.rules_by_segment()
    done = 0
    last_pk = 0
    while True:
        chunk = list(
            selectors.accounts_with_scorecard_inputs(accounts.filter(pk__gt=last_pk), as_of, rules)[:chunk_size]
        )
        if not chunk:
            break
        results = [
            (account, scorecard.compute(selectors.inputs_from_annotated(account), rules[account.segment], as_of))
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
def account_rescore(*, account: Account, as_of: dt.date | None = None) -> scorecard.Result:
    """Recompute and store one account's scorecard (after a sentiment update, a meeting, ...)."""
    as_of = as_of or clock.today()
    [(annotated, result)] = selectors.scorecards_compute(Account.objects.filter(pk=account.pk), as_of)
    snapshots_store(results=[(annotated, result)], as_of=as_of)
    account.refresh_from_db(fields=["health_color", "health_score", "health_date", "scored_on"])
    return result


@transaction.atomic
def sentiment_update(
    *,
    account: Account,
    color: str,
    reason: str,
    by,
    source: str = SentimentSource.SCORECARD,
    date: dt.date | None = None,
) -> SentimentEntry:
    """Record the TAM's sentiment and apply it at once: the account is rescored in the same
    transaction. A reason is required when the sentiment changes color.

    Any sentiment update is also the TAM saying the health is current, so it moves the
    Customer Health Score Date to today.
    """
    date = date or clock.today()
    previous = account.sentiments.filter(date__lte=date).order_by("-date", "-created_at", "-pk").first()
    if (previous is None or previous.color != color) and not reason.strip():
        raise ValidationError({"reason": "Say why the sentiment changes."})
    entry = SentimentEntry(account=account, color=color, reason=reason.strip(), author=by, date=date, source=source)
    entry.full_clean()
    entry.save()
    account_rescore(account=account, as_of=date)
    if date == clock.today():
        Account.objects.filter(pk=account.pk).update(health_date=date)
        account.health_date = date
        for listener in health_update_listeners:
            listener(account)
    return entry


@transaction.atomic
def health_confirm(*, account: Account, by) -> SentimentEntry:
    """The TAM confirms the health is current without changing it: the Customer Health Score
    Date moves to today and the confirmation is kept in the history."""
    # The sentiment in force today: a future-dated entry is not the one being confirmed.
    current = account.sentiments.filter(date__lte=clock.today()).order_by("-date", "-created_at", "-pk").first()
    if current is None:
        raise ValidationError("Set a TAM sentiment before confirming the health is current.")
    return sentiment_update(
        account=account,
        color=current.color,
        reason="Confirmed health is current",
        by=by,
        source=SentimentSource.CONFIRMATION,
    )


_SENTIMENT_FIELDS = {"color": "sentiment_color", "reason": "sentiment_reason"}


@transaction.atomic
def activity_log(
    *,
    account: Account,
    date: dt.date,
    kind: str,
    status: str,
    by,
    attendees: str = "",
    summary: str = "",
    sentiment_color: str | None = None,
    sentiment_reason: str = "",
) -> Meeting:
    """Log a call or meeting and, optionally, the TAM's sentiment in one transaction; the
    account is rescored at once. Bad input (a future date, a color change without a reason)
    raises ValidationError keyed by these argument names and saves nothing.

    The sentiment is dated today, not the meeting's date: it is the TAM's read now, and a
    back-dated entry would only rescore the past (the handbook's next-day lag we avoid).
    """
    meeting = Meeting(
        account=account,
        date=date,
        kind=kind,
        status=status,
        attendees=attendees.strip(),
        summary=summary.strip(),
        logged_by=by,
    )
    meeting.full_clean()
    if date > clock.today():
        raise ValidationError({"date": "An activity can't be logged for a future date."})
    if sentiment_reason.strip() and not sentiment_color:
        raise ValidationError({"sentiment_color": "Choose a color to go with the sentiment reason."})
    meeting.save()
    if sentiment_color:
        try:
            sentiment_update(
                account=account,
                color=sentiment_color,
                reason=sentiment_reason,
                by=by,
                source=SentimentSource.ACTIVITY,
            )
        except ValidationError as error:
            # Name the fields as the caller knows them; the atomic block undoes the meeting.
            raise ValidationError(
                {
                    _SENTIMENT_FIELDS.get(field, NON_FIELD_ERRORS): messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
    else:
        account_rescore(account=account)
    return meeting
