"""Fixtures of the triage tests: accounts in a given health, and the people to notify."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from accounts.models import Account, Color, MeetingKind, Region
from accounts.scoring import services as scoring
from accounts.tests.factories import (
    AccountFactory,
    MeetingFactory,
    SentimentFactory,
    SuccessPlanFactory,
    UserFactory,
)
from triage import jobs
from triage.models import NotifyRole
from triage.tests.factories import RoleAssignmentFactory


def healthy_account(*, today: dt.date, sentiment: str = Color.GREEN, **fields) -> Account:
    """An Enterprise account whose automatic measures are green: the TAM sentiment decides its
    color (green 100, yellow 62.5, red 25). Scored as of today, its outbox delivered (a first
    score tells no one)."""
    account = AccountFactory(**fields)
    MeetingFactory(account=account, date=today - dt.timedelta(days=3), kind=MeetingKind.CADENCE)
    SuccessPlanFactory(account=account)
    SentimentFactory(account=account, color=sentiment, date=today - dt.timedelta(days=1), author=account.tam)
    scoring.scores_recompute(as_of=today, accounts=Account.objects.filter(pk=account.pk))
    jobs.outbox_drain(today=today)
    account.refresh_from_db()
    return account


@pytest.fixture
def account_in(fixed_today, tam):
    """account_in(color, **fields): the TAM's account, scored in that color today."""

    def make(color: str = Color.GREEN, **fields) -> Account:
        fields.setdefault("tam", tam)
        return healthy_account(today=fixed_today, sentiment=color, **fields)

    return make


@dataclass
class People:
    sal: User
    sa: User
    rtm: User  # Regional TAM Manager, EMEA
    rtm_apac: User
    asm: User  # Area Sales Manager, EMEA
    rd: User  # Regional Director, EMEA
    director: User  # TAM Director
    ps_director: User  # Director of Customer Success Public Sector
    vp: User  # VP of Customer Success


@pytest.fixture
def people(db) -> People:
    """Everyone the Communication Guidelines name, for EMEA (and one APAC manager who must not hear)."""
    p = People(
        sal=UserFactory(username="sal"),
        sa=UserFactory(username="sa"),
        rtm=UserFactory(username="rtm"),
        rtm_apac=UserFactory(username="rtm-apac"),
        asm=UserFactory(username="asm"),
        rd=UserFactory(username="rd"),
        director=UserFactory(username="director"),
        ps_director=UserFactory(username="ps-director"),
        vp=UserFactory(username="vp"),
    )
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_TAM_MANAGER, region=Region.EMEA, user=p.rtm)
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_TAM_MANAGER, region=Region.APAC, user=p.rtm_apac)
    RoleAssignmentFactory(role=NotifyRole.AREA_SALES_MANAGER, region=Region.EMEA, user=p.asm)
    RoleAssignmentFactory(role=NotifyRole.REGIONAL_DIRECTOR, region=Region.EMEA, user=p.rd)
    RoleAssignmentFactory(role=NotifyRole.TAM_DIRECTOR, region="", user=p.director)
    RoleAssignmentFactory(role=NotifyRole.DIRECTOR_CS_PUBLIC_SECTOR, region="", user=p.ps_director)
    RoleAssignmentFactory(role=NotifyRole.VP_CUSTOMER_SUCCESS, region="", user=p.vp)
    return p
