"""Notifications: the outbox consumer, the emails (each once, retried, failing alone), the
database rules, and people marking them read."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from accounts import services as account_services
from accounts.models import Account, Color, HealthChange, Region
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory
from notifications import emails, selectors, services
from notifications.models import EmailStatus, Notification, NotifyRole, RoleAssignment
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def change_color(account, color, by=None):
    """The TAM sets the sentiment: the account is rescored in the same transaction."""
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=by or account.tam)
    account.refresh_from_db()


def usernames(notifications):
    return sorted(n.recipient.username for n in notifications)


# --- Database rules -----------------------------------------------------------------------


def test_a_regional_role_needs_a_region_and_a_company_role_none(tam):
    for role, region in [(NotifyRole.AREA_SALES_MANAGER, ""), (NotifyRole.VP_CUSTOMER_SUCCESS, Region.EMEA)]:
        assignment = RoleAssignment(role=role, region=region, user=tam)
        with pytest.raises(ValidationError) as error:
            assignment.full_clean()
        assert "region" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            assignment.save()


def test_one_notification_per_change_and_recipient(tam):
    notification = NotificationFactory(recipient=tam)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(change=notification.change, recipient=tam)


# --- Outbox and notifications -------------------------------------------------------------


def test_green_to_yellow_notifies_each_person_once_by_email_and_in_app(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    change_color(account, Color.YELLOW)
    result = services.notifications_deliver()
    assert (result.changes, result.notifications, result.emails_sent) == (1, 4, 4)
    assert usernames(Notification.objects.all()) == ["director", "rtm", "sa", "sal"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "director@example.com",
        "rtm@example.com",
        "sa@example.com",
        "sal@example.com",
    ]
    assert all(n.email_status == EmailStatus.SENT and n.emailed_at for n in Notification.objects.all())
    assert selectors.unread_count(people.sal) == 1


def test_yellow_to_red_notifies_the_red_list(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    services.notifications_deliver()
    assert usernames(Notification.objects.all()) == ["asm", "director", "rd", "rtm", "sal", "vp"]


def test_nothing_is_repeated_while_the_color_stays_the_same(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    services.notifications_deliver()
    sent = len(mail.outbox)
    change_color(account, Color.RED)  # the TAM confirms: same color
    scoring.scores_recompute(as_of=fixed_today)  # the daily rescore
    scoring.scores_recompute(as_of=fixed_today + dt.timedelta(days=1))
    services.notifications_deliver(today=fixed_today + dt.timedelta(days=1))
    assert len(mail.outbox) == sent == Notification.objects.count()


def test_flipping_back_and_forth_in_a_day_tells_nobody_twice(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    services.notifications_deliver()
    change_color(account, Color.GREEN)
    change_color(account, Color.RED)  # same day, same change as the first: one outbox row
    services.notifications_deliver()
    assert HealthChange.objects.filter(account=account, new_color=Color.RED, old_color=Color.GREEN).count() == 1
    assert Notification.objects.filter(recipient=people.sal).count() == 1


def test_improving_to_green_tells_no_one(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.GREEN)
    services.notifications_deliver()
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_first_score_and_old_history_tell_no_one(people, fixed_today):
    account = AccountFactory(region=Region.EMEA, sal=people.sal)
    HealthChange.objects.create(account=account, old_color="", new_color=Color.RED, as_of=fixed_today)
    Account.objects.filter(pk=account.pk).update(health_color=Color.RED)
    HealthChange.objects.create(
        account=account, old_color=Color.GREEN, new_color=Color.RED, as_of=fixed_today - dt.timedelta(days=8)
    )
    result = services.notifications_deliver(today=fixed_today)
    assert result.changes == 2 and Notification.objects.count() == 0
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_a_first_scoring_is_settled_in_a_fixed_number_of_queries(people, fixed_today, django_assert_num_queries):
    def first_scores(n):
        accounts = AccountFactory.create_batch(n, region=Region.EMEA, sal=people.sal)
        for account in accounts:
            SentimentFactory(account=account, color=Color.RED, date=fixed_today)
        scoring.scores_recompute(as_of=fixed_today, accounts=Account.objects.filter(pk__in=[a.pk for a in accounts]))

    first_scores(3)
    # count, settle, (savepoint) claim a batch of news: none, (release), count, pending emails
    with django_assert_num_queries(7) as few:
        assert services.notifications_deliver(today=fixed_today).changes == 3
    first_scores(30)
    with django_assert_num_queries(len(few)):
        assert services.notifications_deliver(today=fixed_today).changes == 30
    assert Notification.objects.count() == 0
    assert not HealthChange.objects.filter(processed_at__isnull=True).exists()


def test_a_change_no_longer_current_tells_no_one(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    change_color(account, Color.GREEN)  # back before the drain ran
    services.notifications_deliver()
    assert Notification.objects.count() == 0


@override_settings(SITE_URL="https://healthscore.example.com")
def test_the_email_links_to_the_account_and_carries_no_note_text(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Acme Corp")
    MeetingFactory(account=account, date=fixed_today, summary="SECRET meeting summary: CFO wants out")
    account_services.sentiment_update(
        account=account, color=Color.RED, reason="SECRET sentiment reason from the call", by=account.tam
    )
    services.notifications_deliver()
    message = next(m for m in mail.outbox if m.to == ["sal@example.com"])
    assert message.subject == "[Healthscore] Acme Corp is now red (was green)"
    assert f"https://healthscore.example.com/accounts/{account.external_id}/" in message.body
    assert "You are told as: SAL / AE." in message.body
    assert "SECRET" not in message.subject + message.body


def test_a_person_without_an_email_address_gets_the_in_app_item_only(account_in, people):
    people.sal.email = ""
    people.sal.save()
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.YELLOW)
    services.notifications_deliver()
    notification = Notification.objects.get(recipient=people.sal)
    assert notification.email_status == EmailStatus.NO_ADDRESS
    assert "sal@example.com" not in [m.to[0] for m in mail.outbox]


def test_a_failed_email_is_retried_on_the_next_run_then_given_up(account_in, people, monkeypatch):
    account = account_in(Color.GREEN, region=Region.EMEA)
    change_color(account, Color.YELLOW)

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    original = mail.backends.locmem.EmailBackend.send_messages
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", refuse)
    result = services.notifications_deliver()
    assert (result.notifications, result.emails_sent, result.emails_failed) == (2, 0, 2)
    notification = Notification.objects.get(recipient=people.rtm)
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, 1)
    assert "mail server down" in notification.email_error
    for _ in range(services.EMAIL_MAX_ATTEMPTS - 1):
        services.notifications_deliver()
    assert Notification.objects.get(recipient=people.rtm).email_status == EmailStatus.FAILED
    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", original)
    services.notifications_deliver()
    assert mail.outbox == []  # given up: an admin sets it back to pending to retry


def test_a_change_is_processed_once_even_when_drained_twice(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.RED)
    first = services.notifications_deliver()
    second = services.notifications_deliver()
    assert (first.changes, second.changes, second.notifications, second.emails_sent) == (1, 0, 0, 0)


# --- One failure does not stop the rest -----------------------------------------------------


def test_a_name_with_a_line_break_still_gets_a_one_line_subject(account_in, people):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    Account.objects.filter(pk=account.pk).update(name="Acme\nCorp")
    account.refresh_from_db()
    change_color(account, Color.RED)
    services.notifications_deliver()
    assert mail.outbox and all("\n" not in m.subject for m in mail.outbox)
    assert mail.outbox[0].subject == "[Healthscore] Acme Corp is now red (was green)"


def test_an_email_that_cannot_be_built_fails_alone_and_the_queue_goes_on(account_in, people, monkeypatch):
    broken = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Broken Co")
    fine = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal, name="Fine Co")
    change_color(broken, Color.RED)
    change_color(fine, Color.RED)
    real = emails.notification_email

    def build(notification):
        if notification.account.name == "Broken Co":
            raise ValueError("cannot build this one")
        return real(notification)

    monkeypatch.setattr(emails, "notification_email", build)
    for _ in range(services.EMAIL_MAX_ATTEMPTS):
        services.notifications_deliver()
    assert len(mail.outbox) == 6 and all("Fine Co" in m.subject for m in mail.outbox)
    stuck = Notification.objects.filter(account=broken)
    assert stuck.count() == 6 and set(stuck.values_list("email_status", flat=True)) == {EmailStatus.FAILED}
    assert "ValueError: cannot build this one" in stuck.first().email_error


# --- Read -----------------------------------------------------------------------------------


def test_mark_read_only_touches_ones_own(tam, other_tam):
    mine, theirs = NotificationFactory(recipient=tam), NotificationFactory(recipient=other_tam)
    services.notification_read(notification=theirs, by=tam)
    services.notification_read(notification=mine, by=tam)
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    NotificationFactory(recipient=tam)
    assert services.notifications_read_all(user=tam) == 1
