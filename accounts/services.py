"""Writes for the accounts app. Every change to scores and sentiment goes through here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts import listeners
from accounts.models import (
    Account,
    FeedSync,
    Meeting,
    ScorecardConfig,
    ScorecardVersion,
    SentimentEntry,
    SentimentSource,
)
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


# --- Scorecard configuration: applied as a version, the whole segment rescored at once --------


class StaleScorecard(Exception):
    """The segment's configuration changed since the preview this apply was based on."""


def scorecard_version_number(segment: str) -> int:
    """The segment's latest applied version (0: none yet, the segment runs on the defaults)."""
    return ScorecardVersion.objects.filter(segment=segment).aggregate(n=Max("number"))["n"] or 0


@transaction.atomic
def scorecard_config_apply(*, config: ScorecardConfig, by, base_version: int) -> ScorecardVersion:
    """Save a new or changed scorecard configuration as the segment's next version and rescore
    every account of the segment in the same transaction (the engine's locked path), so no page
    shows a color the new rules would not give. `base_version` is the version the admin's preview
    was computed against: if another admin applied since, nothing is saved (StaleScorecard)."""
    if config.pk:
        # Two applies of one configuration take turns here; the loser sees the winner's version.
        list(ScorecardConfig.objects.select_for_update().filter(pk=config.pk).values_list("pk"))
    latest = scorecard_version_number(config.segment)
    if latest != base_version:
        raise StaleScorecard(
            f"The {config.get_segment_display()} scorecard was changed by someone else (now version "
            f"{latest}, your preview was of version {base_version}). Nothing was saved: review the new "
            f"values and preview your change again."
        )
    config.full_clean()
    config.save()
    version = ScorecardVersion.objects.create(
        segment=config.segment,
        number=latest + 1,
        values=inputs.rules_from_config(config).as_dict(),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    scoring.segment_rescore(segment=config.segment)
    return version


def feed_synced(feed: str) -> None:
    """Record that a feed was just imported (the confidence rule's "ticket sync"), even when the
    import changed nothing: one upsert, so two imports at once both end in one row."""
    FeedSync.objects.bulk_create(
        [FeedSync(feed=feed, synced_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["feed"],
        update_fields=["synced_at"],
    )
