"""Who is told: the handbook's Communication Guidelines, per color, region and sector."""

import pytest

from accounts.models import Color, Region
from notifications import selectors

pytestmark = pytest.mark.django_db


def test_yellow_tells_the_account_team_the_regional_tam_manager_and_the_tam_director(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    recipients = selectors.notification_recipients(account=account, color=Color.YELLOW)
    assert sorted(r.user.username for r in recipients) == ["director", "rtm", "sa", "sal"]


def test_red_adds_the_area_sales_manager_the_regional_director_and_the_vp(account_in, people):
    account = account_in(Color.RED, region=Region.EMEA, sal=people.sal, solutions_architect=people.sa)
    recipients = selectors.notification_recipients(account=account, color=Color.RED)
    assert sorted(r.user.username for r in recipients) == ["asm", "director", "rd", "rtm", "sa", "sal", "vp"]


def test_public_sector_goes_to_the_director_of_customer_success_public_sector(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, public_sector=True, sal=people.sal)
    names = sorted(r.user.username for r in selectors.notification_recipients(account=account, color=Color.YELLOW))
    assert names == ["ps-director", "rtm", "sal"]


def test_regional_roles_follow_the_account_region(account_in, people):
    account = account_in(Color.RED, region=Region.APAC)
    names = sorted(r.user.username for r in selectors.notification_recipients(account=account, color=Color.RED))
    assert names == ["director", "rtm-apac", "vp"]  # no EMEA ASM or RD holds APAC


def test_one_person_in_two_roles_is_told_once_with_both_roles(account_in, people):
    account = account_in(Color.YELLOW, region=Region.EMEA, sal=people.rtm)
    [recipient] = [
        r for r in selectors.notification_recipients(account=account, color=Color.YELLOW) if r.user == people.rtm
    ]
    assert recipient.roles == ["SAL / AE", "Regional TAM Manager (EMEA)"]


def test_inactive_people_and_green_are_not_told(account_in, people):
    people.director.is_active = False
    people.director.save()
    account = account_in(Color.YELLOW, region=Region.EMEA)
    assert [r.user.username for r in selectors.notification_recipients(account=account, color=Color.YELLOW)] == ["rtm"]
    assert selectors.notification_recipients(account=account, color=Color.GREEN) == []
