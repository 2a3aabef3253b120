"""Demo data of the notifications app, called by seed_demo after the accounts are scored: the
people the handbook says to notify (for every region), this week's color changes delivered to
them, and some of their notifications already read. Deterministic for a given rng."""

import datetime as dt
import random

from django.contrib.auth.models import Group, User
from django.core.mail import get_connection

from accounts.demo import DEMO_PASSWORD
from accounts.models import Region
from healthscore import permissions
from notifications import services
from notifications.models import Notification, NotifyRole, RoleAssignment

DEMO_MANAGER = "manager"

# (username, first name, last name) per role and region; they log in as Managers (read-only).
REGIONAL = {
    NotifyRole.REGIONAL_TAM_MANAGER: ["rita", "Rita", "Moreau"],
    NotifyRole.AREA_SALES_MANAGER: ["arnav", "Arnav", "Shah"],
    NotifyRole.REGIONAL_DIRECTOR: ["dora", "Dora", "Lindqvist"],
}
COMPANY = {
    NotifyRole.TAM_DIRECTOR: ("tina", "Tina", "Director"),
    NotifyRole.DIRECTOR_CS_PUBLIC_SECTOR: ("paul", "Paul", "Federal"),
    NotifyRole.VP_CUSTOMER_SUCCESS: ("victor", "Victor", "Vance"),
}


def _person(username: str, first: str, last: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=permissions.MANAGER))
    return user


def _role_holders() -> None:
    for role, (username, first, last) in REGIONAL.items():
        for region in Region.values:
            slug = region.lower().replace("-", "")
            user = _person(f"{username}-{slug}", first, f"{last} ({region})")
            RoleAssignment.objects.get_or_create(role=role, region=region, user=user)
    for role, (username, first, last) in COMPANY.items():
        RoleAssignment.objects.get_or_create(role=role, region="", user=_person(username, first, last))
    # The demo's `manager` login is Regional TAM Manager of every region: a newcomer logged in
    # as the manager sees notifications arrive (README: "Demo logins and notified roles").
    manager = User.objects.filter(username=DEMO_MANAGER).first()
    if manager is not None:
        for region in Region.values:
            RoleAssignment.objects.get_or_create(role=NotifyRole.REGIONAL_TAM_MANAGER, region=region, user=manager)


def seed(*, today: dt.date, rng: random.Random) -> None:
    """Role holders, the outbox drained as of today, and every third notification read."""
    _role_holders()
    # The seed's week of color changes becomes this week's notifications (and triage passes).
    # The emails go to a dummy backend (the demo people are not real), so the seed prints no
    # pile of emails.
    services.notifications_deliver(
        today=today, connection=get_connection("django.core.mail.backends.dummy.EmailBackend")
    )
    # Some notifications already read.
    for notification in Notification.objects.order_by("pk")[::3]:
        services.notification_read(notification=notification, by=notification.recipient)
