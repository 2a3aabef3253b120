"""Emails go out after the claim is committed, holding no transaction and no row lock, with a
Message-ID derived from the notification; an abandoned claim is sent again with the same id."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.db import connection as db_connection
from django.utils import timezone

from notifications import emails, services
from notifications.models import EmailStatus, Notification
from notifications.tests.factories import NotificationFactory


class WatchingConnection:
    """A mail connection that records, at the moment of sending, what the database looked like."""

    def __init__(self, fail_with=None):
        self.fail_with, self.seen = fail_with, []

    def send_messages(self, messages):
        for message in messages:
            pk = int(message.extra_headers["Message-ID"].split("-")[1].split(".")[0])
            self.seen.append(
                {
                    "in_transaction": db_connection.in_atomic_block,
                    "status": Notification.objects.get(pk=pk).email_status,
                    "message_id": message.extra_headers["Message-ID"],
                }
            )
        if self.fail_with:
            raise self.fail_with
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_the_email_is_sent_outside_any_transaction_after_the_claim_is_committed():
    notification = NotificationFactory(recipient__email="sal@example.com")
    watcher = WatchingConnection()
    assert services.notification_email_send(notification_id=notification.pk, connection=watcher) == "sent"
    assert watcher.seen == [
        {
            "in_transaction": False,
            "status": EmailStatus.SENDING,
            "message_id": emails.notification_message_id(notification),
        }
    ]
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and notification.emailed_at is not None


@pytest.mark.django_db
def test_the_message_id_is_derived_from_the_notification_and_kept_across_retries(settings):
    settings.SITE_URL = "https://hs.example.com"
    notification = NotificationFactory(recipient__email="sal@example.com")
    failing = WatchingConnection(fail_with=smtplib.SMTPServerDisconnected("gone"))
    assert services.notification_email_send(notification_id=notification.pk, connection=failing) == "failed"
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING and notification.email_attempts == 1
    assert services.notification_email_send(notification_id=notification.pk) == "sent"
    expected = f"<notification-{notification.pk}.change-{notification.change_id}@hs.example.com>"
    assert failing.seen[0]["message_id"] == expected
    assert mail.outbox[-1].extra_headers["Message-ID"] == expected
    assert mail.outbox[-1].message()["Message-ID"] == expected


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_an_abandoned_one_is_sent_again():
    fresh = NotificationFactory(recipient__email="a@example.com")
    abandoned = NotificationFactory(recipient__email="b@example.com")
    now = timezone.now()
    Notification.objects.filter(pk=fresh.pk).update(
        email_status=EmailStatus.SENDING, emailed_at=now - dt.timedelta(minutes=1)
    )
    Notification.objects.filter(pk=abandoned.pk).update(
        email_status=EmailStatus.SENDING,
        emailed_at=now - dt.timedelta(seconds=services.EMAIL_CLAIM_SECONDS + 60),
    )
    assert services.notification_emails_send() == (1, 0)
    assert [m.to for m in mail.outbox] == [["b@example.com"]]
    assert Notification.objects.get(pk=fresh.pk).email_status == EmailStatus.SENDING
    assert Notification.objects.get(pk=abandoned.pk).email_status == EmailStatus.SENT


@pytest.mark.django_db
def test_an_email_given_up_after_the_limit_is_not_sent_again():
    notification = NotificationFactory(recipient__email="sal@example.com")
    failing = WatchingConnection(fail_with=smtplib.SMTPServerDisconnected("gone"))
    for _ in range(services.EMAIL_MAX_ATTEMPTS):
        services.notification_email_send(notification_id=notification.pk, connection=failing)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == services.EMAIL_MAX_ATTEMPTS
    assert services.notification_email_send(notification_id=notification.pk) == "skipped"
