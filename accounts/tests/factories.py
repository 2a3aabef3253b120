import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from accounts.models import (
    Account,
    Color,
    Meeting,
    MeetingStatus,
    PlanStatus,
    Region,
    Segment,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)


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
