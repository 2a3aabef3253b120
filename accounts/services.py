"""Writes for the accounts app. Every change to scores and sentiment goes through here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import listeners
from accounts.models import Account, FeedSync, Meeting, SentimentEntry, SentimentSource
from accounts.scoring import inputs
from accounts.scoring import services as scoring
from healthscore import clock


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
    previous = inputs.sentiment_in_force(account.sentiments, date).first()
    if (previous is None or previous.color != color) and not reason.strip():
        raise ValidationError({"reason": "Say why the sentiment changes."})
    entry = SentimentEntry(account=account, color=color, reason=reason.strip(), author=by, date=date, source=source)
    # The account and the author are the instances at hand: no query to check they exist.
    entry.full_clean(exclude=["account", "author"])
    entry.save()
    today = date == clock.today()
    scoring.account_rescore(account=account, as_of=date, confirmed=today)
    if today:
        for listener in scoring.health_update_listeners:
            listener(account)
    return entry


@transaction.atomic
def health_confirm(*, account: Account, by) -> SentimentEntry:
    """The TAM confirms the health is current without changing it: the Customer Health Score
    Date moves to today and the confirmation is kept in the history."""
    # The sentiment in force today: a future-dated entry is not the one being confirmed.
    current = inputs.sentiment_in_force(account.sentiments, clock.today()).first()
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
        scoring.account_rescore(account=account)
    # A held cadence call closes the "Missed cadence call" CTA in this same transaction.
    listeners.meetings_logged(account_ids=[account.pk], today=clock.today())
    return meeting


def feed_synced(feed: str) -> None:
    """Record that a feed was just imported (the confidence rule's "ticket sync"), even when the
    import changed nothing: one upsert, so two imports at once both end in one row."""
    FeedSync.objects.bulk_create(
        [FeedSync(feed=feed, synced_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["feed"],
        update_fields=["synced_at"],
    )
