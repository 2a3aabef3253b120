import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from accounts import events
from accounts.models import (
    Account,
    Color,
    HealthChange,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
    Region,
    Segment,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)
from accounts.scoring import services as scoring


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("pw")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"0015f{n:08d}")
    name = factory.Sequence(lambda n: f"Account {n}")
    segment = Segment.ENTERPRISE
    arr = Decimal("120000")
    region = Region.EMEA
    tam = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    account = factory.SubFactory(AccountFactory)
    date = dt.date(2026, 11, 1)
    status = MeetingStatus.HELD


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportTicket

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"ZD-{n}")
    opened = dt.date(2026, 11, 10)


class SuccessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessPlan

    account = factory.SubFactory(AccountFactory)
    external_id = factory.Sequence(lambda n: f"SP-{n}")
    status = PlanStatus.ACTIVE


class SentimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SentimentEntry

    account = factory.SubFactory(AccountFactory)
    color = Color.GREEN
    reason = "Happy with the rollout"
    date = dt.date(2026, 11, 20)


class HealthChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthChange

    account = factory.SubFactory(AccountFactory)
    old_color = "green"
    new_color = "yellow"
    as_of = dt.date(2026, 11, 24)


def healthy_account(*, today: dt.date, sentiment: str = Color.GREEN, **fields) -> Account:
    """An Enterprise account whose automatic measures are green: the TAM sentiment decides its
    color (green 100, yellow 62.5, red 25). Scored as of today, its outbox drained (a first
    score tells no one)."""
    account = AccountFactory(**fields)
    MeetingFactory(account=account, date=today - dt.timedelta(days=3), kind=MeetingKind.CADENCE)
    SuccessPlanFactory(account=account)
    SentimentFactory(account=account, color=sentiment, date=today - dt.timedelta(days=1), author=account.tam)
    scoring.scores_recompute(as_of=today, accounts=Account.objects.filter(pk=account.pk))
    events.outbox_drain(today=today)
    account.refresh_from_db()
    return account
