"""Each person chooses immediate emails or one daily digest; the digest goes out once."""

import pytest
from django.core import mail

from accounts import events
from accounts import services as account_services
from accounts.models import Color, Region
from notifications import digests, services
from notifications.models import EmailMode, EmailStatus, Notification

pytestmark = pytest.mark.django_db


def turn(account, color, today):
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=account.tam)
    events.outbox_drain(today=today)


def test_digest_people_get_no_single_email_and_one_digest_a_day(account_in, people, fixed_today):
    services.email_preference_set(user=people.rtm, mode=EmailMode.DIGEST)
    first = account_in(Color.GREEN, region=Region.EMEA, name="Acme")
    second = account_in(Color.GREEN, region=Region.EMEA, name="Globex")
    turn(first, Color.YELLOW, fixed_today)
    turn(second, Color.RED, fixed_today)
    services.notification_emails_send()
    assert people.rtm.email not in {to for message in mail.outbox for to in message.to}
    assert Notification.objects.filter(recipient=people.rtm, email_status=EmailStatus.PENDING).count() == 2

    mail.outbox.clear()
    assert digests.digests_send(as_of=fixed_today).startswith("Digests: 1 sent")
    [digest] = mail.outbox
    assert digest.to == [people.rtm.email] and "2 account health changes" in digest.subject
    assert "Acme: now YELLOW" in digest.body and "Globex: now RED" in digest.body
    assert "Now yellow" not in digest.body  # never a sentiment reason
    assert not Notification.objects.filter(recipient=people.rtm, email_status=EmailStatus.PENDING).exists()
    assert digests.digests_send(as_of=fixed_today).startswith("Digests: 0 sent")  # safe to run twice
    assert len(mail.outbox) == 1


def test_immediate_is_the_default_and_switching_back_sends_what_waits(account_in, people, fixed_today):
    services.email_preference_set(user=people.rtm, mode=EmailMode.DIGEST)
    turn(account_in(Color.GREEN, region=Region.EMEA), Color.YELLOW, fixed_today)
    services.email_preference_set(user=people.rtm, mode=EmailMode.IMMEDIATE)
    services.notification_emails_send()
    assert people.rtm.email in {to for message in mail.outbox for to in message.to}


def test_a_failed_digest_is_retried(account_in, people, fixed_today, monkeypatch):
    services.email_preference_set(user=people.rtm, mode=EmailMode.DIGEST)
    turn(account_in(Color.GREEN, region=Region.EMEA), Color.YELLOW, fixed_today)

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert "1 failed" in digests.digests_send(as_of=fixed_today)
    notification = Notification.objects.get(recipient=people.rtm)
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, 1)


def test_the_notifications_page_sets_the_mode(client, tam):
    client.force_login(tam)
    assert "One daily digest email" in client.get("/triage/notifications/").content.decode()
    response = client.post("/triage/notifications/email/", {"mode": "digest"})
    assert response.status_code == 302
    assert tam.notification_email_preference.mode == EmailMode.DIGEST
    bad = client.post("/triage/notifications/email/", {"mode": "weekly"})
    assert bad.status_code == 400 and "Choose one of the two." in bad.content.decode()
