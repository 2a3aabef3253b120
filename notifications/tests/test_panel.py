"""Every notification sent about an account is visible on its page; the demo manager holds a
notified role."""

import random

import pytest
from django.contrib.auth.models import Group

from accounts import events
from accounts import services as account_services
from accounts.models import Color, Region
from accounts.tests.factories import UserFactory
from healthscore import permissions
from notifications import demo
from notifications.models import NotifyRole, RoleAssignment

pytestmark = pytest.mark.django_db


def change_color(account, color, today):
    account_services.sentiment_update(account=account, color=color, reason=f"Now {color}", by=account.tam)
    events.outbox_drain(today=today)  # what the drain task does once the change commits


def test_the_account_page_lists_every_notification_sent_about_it(
    client, account_in, people, manager, other_tam, fixed_today
):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    change_color(account, Color.YELLOW, fixed_today)
    for user in (account.tam, manager, other_tam):  # anyone who may read the account
        client.force_login(user)
        page = client.get(f"/accounts/{account.external_id}/").content.decode()
        assert "Notifications sent" in page
        assert "Regional TAM Manager (EMEA)" in page and (people.rtm.get_full_name() or people.rtm.username) in page
        panel = page.split('id="notifications-sent"')[1].split("</section>")[0]
        assert "SAL / AE" in panel and "Now yellow" not in panel  # no reason text


def test_an_account_nobody_was_told_about_says_so(client, account_in, tam):
    account = account_in(Color.GREEN)
    client.force_login(tam)
    assert (
        "No notifications sent about this account yet"
        in client.get(f"/accounts/{account.external_id}/").content.decode()
    )


def test_the_demo_manager_is_regional_tam_manager_of_every_region(fixed_today):
    UserFactory(username="manager")
    Group.objects.get_or_create(name=permissions.MANAGER)
    demo.seed(today=fixed_today, rng=random.Random(1))
    regions = set(
        RoleAssignment.objects.filter(user__username="manager", role=NotifyRole.REGIONAL_TAM_MANAGER).values_list(
            "region", flat=True
        )
    )
    assert regions == set(Region.values)
