"""A color moved by an override notifies exactly as a computed change does (the outbox)."""

import datetime as dt

import pytest

from accounts import overrides
from accounts.models import Color, Region
from notifications import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_an_override_to_red_notifies_the_red_list_and_its_cancellation_the_yellow_list(
    account_in, people, manager, fixed_today
):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    override = overrides.override_set(
        account=account,
        color=Color.RED,
        reason="Exec escalation",
        expires_on=fixed_today + dt.timedelta(days=9),
        by=manager,
    )
    services.notifications_deliver()
    assert sorted(n.recipient.username for n in Notification.objects.all()) == [
        "asm",
        "director",
        "rd",
        "rtm",
        "sal",
        "vp",
    ]
    # Cancelled: back to the computed yellow, told to yellow's list as a computed red -> yellow is.
    overrides.override_cancel(override=override, by=manager)
    result = services.notifications_deliver()
    assert result.changes == 1
    back = Notification.objects.filter(change__new_color=Color.YELLOW, change__old_color=Color.RED)
    assert sorted(n.recipient.username for n in back) == ["director", "rtm", "sal"]
