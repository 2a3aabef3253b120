"""The daily digest: one email per person who chose it, with every notification waiting for
them; a step of the daily pipeline (after the notifications step).

Safe to run twice or twice at once: a person's waiting notifications are claimed (pending ->
sent) in the transaction that sends their digest, so a second run finds nothing; a delivery
error rolls the claim back and counts an attempt on each, retried on the next run up to the
limit, as the single emails are.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import User
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from healthscore.pipeline import Progress
from notifications import emails
from notifications.models import EmailMode, EmailStatus, Notification
from notifications.services import DELIVERY_ERRORS, EMAIL_MAX_ATTEMPTS

logger = logging.getLogger(__name__)


def _waiting():
    return Notification.objects.filter(
        email_status=EmailStatus.PENDING, recipient__notification_email_preference__mode=EmailMode.DIGEST
    )


def digest_send(*, user_id: int, connection=None) -> str:
    """One person's digest, once: "sent", "no_address", "failed" or "skipped" (nothing waiting)."""
    ids: list[int] = []
    try:
        with transaction.atomic():
            ids = list(
                _waiting()
                .filter(recipient_id=user_id)
                .select_for_update()
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                return "skipped"
            user = User.objects.get(pk=user_id)
            if not user.email:
                Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.NO_ADDRESS)
                return "no_address"
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.SENT, emailed_at=timezone.now())
            notifications = list(
                Notification.objects.filter(pk__in=ids).select_related("account", "change").order_by("created_at", "pk")
            )
            message = emails.digest_email(user, notifications)
            message.connection = connection or get_connection()
            message.send()
    except DELIVERY_ERRORS as exc:
        logger.warning("Digest for user %s not delivered, will retry: %s", user_id, exc)
        # The transaction rolled the rows back to pending: count this attempt on each of them,
        # and give up after the limit, as a single email does.
        Notification.objects.filter(pk__in=ids, email_status=EmailStatus.PENDING).update(
            email_attempts=F("email_attempts") + 1,
            email_error=str(exc)[:2000],
            email_status=Case(
                When(email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1, then=Value(EmailStatus.FAILED)),
                default=Value(EmailStatus.PENDING),
            ),
        )
        return "failed"
    return "sent"


def digests_send(*, as_of: dt.date | None = None, progress: Progress = None, connection=None) -> str:
    """The daily pipeline's "Notification digests" step: every waiting digest, once."""
    users = list(_waiting().values_list("recipient_id", flat=True).distinct().order_by("recipient_id"))
    outcomes = {"sent": 0, "failed": 0, "no_address": 0, "skipped": 0}
    for user_id in users:
        outcomes[digest_send(user_id=user_id, connection=connection)] += 1
        if progress:
            progress(1)
    return f"Digests: {outcomes['sent']} sent, {outcomes['failed']} failed (retried on the next run)."


def digests_total(as_of: dt.date) -> int:
    return _waiting().values("recipient_id").distinct().count()
