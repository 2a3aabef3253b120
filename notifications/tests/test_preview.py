"""The sentiment forms' preview names who a color change would tell, by the same rule the
notifications use; nothing is sent or written."""

import pytest

from accounts import preview
from accounts.models import Color, Region
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def name(user) -> str:
    return user.get_full_name() or user.username


def test_turning_red_names_the_red_list_with_roles(account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    result = preview.sentiment_preview(account=account, sentiment=Color.RED, today=fixed_today)
    assert result.new_color == Color.RED
    expected = [people.sal, people.rtm, people.director, people.asm, people.rd, people.vp]
    assert [name.split(" (")[0] for name in result.recipients] == [name(user) for user in expected]
    assert f"{name(people.rtm)} (Regional TAM Manager (EMEA))" in result.recipients
    assert not Notification.objects.exists()


def test_staying_the_same_color_or_turning_green_tells_no_one(account_in, people, fixed_today):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal)
    assert preview.sentiment_preview(account=account, sentiment=Color.YELLOW, today=fixed_today).recipients == []
    assert preview.sentiment_preview(account=account, sentiment=Color.GREEN, today=fixed_today).recipients == []


def test_the_endpoint_says_who_is_notified(client, account_in, people, fixed_today):
    account = account_in(Color.GREEN, region=Region.EMEA, sal=people.sal)
    client.force_login(account.tam)
    page = client.get(f"/accounts/{account.external_id}/preview/", {"source": "sentiment", "color": "yellow"})
    told = f"{name(people.sal)} (SAL / AE); {name(people.rtm)} (Regional TAM Manager (EMEA)); {name(people.director)}"
    assert f"Notified: {told} (TAM Director)." in page.content.decode()
