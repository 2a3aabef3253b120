"""The notification email: built from the account's fields only."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts.scoring import rules
from notifications.models import Notification


def notification_message_id(notification: Notification) -> str:
    """The same for every attempt at one notification's email, so a resent copy (see
    notifications.services) can be recognised and dropped by mail systems."""
    domain = urlsplit(settings.SITE_URL).hostname or "healthscore.invalid"
    return f"<notification-{notification.pk}.change-{notification.change_id}@{domain}>"


def notification_email(notification: Notification) -> EmailMessage:
    """The email: who, what color, why you are told, and a link. Built from the account's
    fields only, so no meeting note, meeting summary or sentiment reason can leak into it."""
    account = notification.account
    recipient = notification.recipient
    new, old = rules.color_words(notification.new_color), rules.color_words(notification.old_color)
    tam = account.tam.get_full_name() or account.tam.username if account.tam else "unassigned"
    score = f"{account.health_score} / 100" if account.health_score is not None else "no score"
    lines = [
        f"Hello {recipient.get_full_name() or recipient.username},",
        "",
        f"{account.name}'s customer health is now {new.upper()} (it was {old}).",
        "",
        f"Score: {score} (Customer Health Score Date {account.health_date or 'not set'})",
        f"Segment: {account.get_segment_display()}, region: {account.region}"
        + (", public sector" if account.public_sector else ""),
        f"TAM: {tam}",
        "",
        f"You are told as: {notification.roles}.",
        "The TAM leads the triage; the handbook's communication guidelines ask that you know.",
        "",
        f"Open the account: {settings.SITE_URL}{reverse('account_detail', args=[account.external_id])}",
        f"Your notifications: {settings.SITE_URL}{reverse('triage:notification_list')}",
    ]
    return EmailMessage(
        headers={"Message-ID": notification_message_id(notification)},
        # A header is one line: a name imported or typed with a line break must not break it.
        subject=" ".join(f"[Healthscore] {account.name} is now {new} (was {old})".split()),
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def digest_email(recipient, notifications: list[Notification]) -> EmailMessage:
    """The daily digest: one line per notification (account, colors, why you are told) and a
    link each; built from the accounts' fields only, as the single email."""
    lines = [
        f"Hello {recipient.get_full_name() or recipient.username},",
        "",
        f"Since your last digest, {len(notifications)} account health change"
        + ("s" if len(notifications) != 1 else "")
        + " concern you:",
        "",
    ]
    for notification in notifications:
        account = notification.account
        new, old = rules.color_words(notification.new_color), rules.color_words(notification.old_color)
        lines += [
            " ".join(f"- {account.name}: now {new.upper()} (was {old}), on {notification.change.as_of}.".split()),
            f"  You are told as: {notification.roles}.",
            f"  {settings.SITE_URL}{reverse('account_detail', args=[account.external_id])}",
        ]
    lines += [
        "",
        f"Your notifications (and how you get these emails): {settings.SITE_URL}{reverse('triage:notification_list')}",
    ]
    count = len(notifications)
    return EmailMessage(
        subject=f"[Healthscore] Daily digest: {count} account health change{'s' if count != 1 else ''}",
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
