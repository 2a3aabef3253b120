"""Writes of the notifications app: the outbox consumer that creates notifications, their
emails (each sent once, retried up to a limit), and people marking them read.

Every job here is idempotent and safe to run twice or twice at once: one notification per
change and recipient (a unique constraint), and each email is claimed with a conditional
update committed before it is sent, so no transaction and no row lock is held while the mail
server is talked to. The one duplicate window: a process killed after the mail server accepted
a message and before "sent" is committed (a few milliseconds) sends it again once the claim
expires (EMAIL_CLAIM_SECONDS); the resent message has the same Message-ID
(emails.notification_message_id), so mail systems that deduplicate show it once.
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
from django.db.models import Case, F, Q, Value, When
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
# A claim older than this was abandoned by a killed sender: the email is sent again. Far longer
# than one send can take (EMAIL_TIMEOUT is 10 s).
EMAIL_CLAIM_SECONDS = 10 * 60


def _sendable_q() -> Q:
    """Pending emails, and claims a killed sender abandoned."""
    abandoned_before = timezone.now() - dt.timedelta(seconds=EMAIL_CLAIM_SECONDS)
    return Q(email_status=EmailStatus.PENDING) | Q(email_status=EmailStatus.SENDING, emailed_at__lt=abandoned_before)


# --- The outbox consumer --------------------------------------------------------------------


def notifications_for_changes(changes: list[HealthChange], *, today: dt.date) -> None:
    """Consumer of accounts.events, inside the changes' transaction: one notification for each
    person the handbook names for each change's new color (emails go out after the drain).
    One read of the role assignments and one insert for the whole batch."""
    assignments = selectors.role_assignments()
    Notification.objects.bulk_create(
        [
            Notification(
                change=change,
                recipient=recipient.user,
                account=change.account,
                old_color=change.old_color,
                new_color=change.new_color,
                roles="; ".join(recipient.roles)[:300],
            )
            for change in changes
            for recipient in selectors.notification_recipients(
                account=change.account, color=change.new_color, assignments=assignments
            )
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
        Notification.objects.filter(_sendable_q())
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
    """A delivery attempt failed: release the claim and keep the error; give up after the limit
    (the attempt was counted when the email was claimed)."""
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
        emailed_at=None,
        email_error=error[:2000],
        email_status=Case(
            When(email_attempts__gte=EMAIL_MAX_ATTEMPTS, then=Value(EmailStatus.FAILED)),
            default=Value(EmailStatus.PENDING),
        ),
    )


def notification_email_send(*, notification_id: int, connection=None) -> str:
    """Send one notification's email once: claim it, send it outside any transaction, record it.

    1. Claim: a conditional update (pending, or a claim abandoned for EMAIL_CLAIM_SECONDS ->
       sending), committed at once; a concurrent run finds nothing to claim and skips.
    2. Send, holding no transaction and no lock, with a Message-ID derived from the notification.
    3. Record "sent" (or, on a delivery error, release the claim for a retry, up to a limit).
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Notification.objects.filter(_sendable_q(), pk=notification_id).update(
            email_status=EmailStatus.SENDING, emailed_at=now, email_attempts=F("email_attempts") + 1
        )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient", "account", "account__tam").get(pk=notification_id)
    if not notification.recipient.email:
        Notification.objects.filter(pk=notification_id).update(email_status=EmailStatus.NO_ADDRESS, emailed_at=None)
        return "no_address"
    try:
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
    Notification.objects.filter(pk=notification_id, email_status=EmailStatus.SENDING).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now()
    )
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
