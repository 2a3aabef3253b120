"""Writes of the notifications app: the outbox consumer that creates notifications, their
emails (each sent once, retried up to a limit; a crash between the mail server accepting a
message and our commit sends it again), and people marking them read.

Every job here is idempotent and safe to run twice or twice at once: one notification per
change and recipient (a unique constraint), and each email is claimed with a conditional
update in the transaction that sends it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from accounts import events
from accounts.models import HealthChange
from healthscore.pipeline import Progress
from notifications import emails, selectors
from notifications.models import EmailMode, EmailPreference, EmailStatus, Notification

logger = logging.getLogger(__name__)

# After this many failed deliveries an email is given up (and shown as failed in admin).
EMAIL_MAX_ATTEMPTS = 5
# What a mail server or the network raise when a message cannot be delivered (retried later).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


# --- The outbox consumer --------------------------------------------------------------------


def notifications_for_change(change: HealthChange, *, today: dt.date) -> None:
    """Consumer of accounts.events, inside the change's transaction: one notification for each
    person the handbook names for the new color (its email goes out after the drain)."""
    account = change.account
    recipients = selectors.notification_recipients(account=account, color=change.new_color)
    Notification.objects.bulk_create(
        [
            Notification(
                change=change,
                recipient=recipient.user,
                account=account,
                old_color=change.old_color,
                new_color=change.new_color,
                roles="; ".join(recipient.roles)[:300],
            )
            for recipient in recipients
        ],
        ignore_conflicts=True,
    )


# --- Delivery: the drain, then the emails ---------------------------------------------------


@dataclass
class DeliveryResult:
    changes: int = 0
    notifications: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (
            f"Notifications: {self.changes} health changes processed, {self.notifications} notifications created, "
            f"{self.emails_sent} emails sent, {self.emails_failed} failed (retried on the next run)."
        )


def outbox_drain_and_send(*, drain: Callable[[], int], today: dt.date | None = None, connection=None) -> DeliveryResult:
    """Around a drain of the outbox (registered with accounts.events for the drain task): count
    the notifications it creates, then send every pending email."""
    result = DeliveryResult()
    before = Notification.objects.count()
    result.changes = drain()
    result.notifications = Notification.objects.count() - before
    result.emails_sent, result.emails_failed = notification_emails_send(connection=connection)
    return result


def notifications_deliver(
    *, today: dt.date | None = None, connection=None, progress: Progress = None
) -> DeliveryResult:
    """Process every pending health change (every consumer), then send every pending email."""
    drain = functools.partial(events.outbox_drain, today=today, progress=progress)
    return outbox_drain_and_send(drain=drain, today=today, connection=connection)


def notifications_step(*, as_of: dt.date, progress: Progress = None) -> DeliveryResult:
    """The daily pipeline's "Notifications" step."""
    return notifications_deliver(today=as_of, progress=progress)


def notifications_total(as_of: dt.date) -> int:
    return HealthChange.objects.filter(processed_at__isnull=True).count()


def notification_emails_send(*, connection=None) -> tuple[int, int]:
    """Send every pending notification email once; returns (sent, failed). One connection to
    the mail server serves the whole batch."""
    sent = failed = 0
    pending = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING)
        # Those who chose the daily digest get theirs from notifications/digests.py.
        .exclude(recipient__notification_email_preference__mode=EmailMode.DIGEST)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0, 0
    own = connection is None
    connection = connection or get_connection()
    try:
        if own:
            connection.open()
    except DELIVERY_ERRORS as exc:
        logger.warning("Mail server unreachable, %s emails wait for the next run: %s", len(pending), exc)
        return 0, 0
    try:
        for pk in pending:
            outcome = notification_email_send(notification_id=pk, connection=connection)
            sent += outcome == "sent"
            failed += outcome == "failed"
    finally:
        if own:
            connection.close()
    return sent, failed


def _failure_record(notification_id: int, error: str) -> None:
    """A delivery attempt failed: count it and keep the error; give up after the limit."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_attempts=F("email_attempts") + 1,
        email_error=error[:2000],
        email_status=Case(
            When(email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1, then=Value(EmailStatus.FAILED)),
            default=Value(EmailStatus.PENDING),
        ),
    )


def notification_email_send(*, notification_id: int, connection=None) -> str:
    """Send one notification's email once (twice only if the process dies between the mail
    server's accept and the commit: issue 11 narrows that window).

    The row is claimed (pending -> sent) and the message sent in one transaction: a second run
    waits on the row lock and then finds it sent; a failure or a killed worker rolls the claim
    back, so the next run sends it. Delivery errors are recorded and retried, up to a limit.
    """
    try:
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1
            )
            if not claimed:
                return "skipped"
            notification = Notification.objects.select_related("recipient", "account", "account__tam").get(
                pk=notification_id
            )
            if not notification.recipient.email:
                Notification.objects.filter(pk=notification_id).update(
                    email_status=EmailStatus.NO_ADDRESS, emailed_at=None
                )
                return "no_address"
            message = emails.notification_email(notification)
            message.connection = connection or get_connection()
            message.send()
    except DELIVERY_ERRORS as exc:
        logger.warning("Notification %s: email not delivered, will retry: %s", notification_id, exc)
        _failure_record(notification_id, str(exc))
        return "failed"
    except Exception as exc:
        # Anything else (a header Django refuses, a bug in building one message) fails this
        # email only: recorded with its traceback and retried up to the limit, while the other
        # notifications in the queue still go out.
        logger.exception("Notification %s: email could not be built or sent", notification_id)
        _failure_record(notification_id, f"{type(exc).__name__}: {exc}")
        return "failed"
    return "sent"


# --- People reading them ----------------------------------------------------------------------


def notification_read(*, notification: Notification, by: User) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(read_at=timezone.now())


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, user: User, mode: str) -> EmailPreference:
    """How the person gets notification emails from now on: each at once, or one daily digest
    (what is waiting goes out by the new mode)."""
    preference = EmailPreference.objects.select_for_update().filter(user=user).first() or EmailPreference(user=user)
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference
