import datetime as dt

import factory

from accounts.models import Region
from accounts.tests.factories import AccountFactory, UserFactory
from triage.models import (
    Cta,
    CtaKind,
    HealthChange,
    Notification,
    NotifyRole,
    Risk,
    RoleAssignment,
    TriageOrigin,
    TriageRecord,
)


class TriageRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TriageRecord

    account = factory.SubFactory(AccountFactory)
    origin = TriageOrigin.MANUAL
    risk = Risk.YELLOW
    region = factory.LazyAttribute(lambda r: r.account.region)
    owner = factory.LazyAttribute(lambda r: r.account.tam)
    opened_on = dt.date(2026, 11, 20)


class CtaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cta

    account = factory.SubFactory(AccountFactory)
    kind = CtaKind.DECIDE_TRIAGE
    key = factory.Sequence(lambda n: f"key-{n}")
    detail = "Health is yellow since 2026-11-20"
    opened_on = dt.date(2026, 11, 20)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    role = NotifyRole.REGIONAL_TAM_MANAGER
    region = Region.EMEA
    user = factory.SubFactory(UserFactory)


class HealthChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthChange

    account = factory.SubFactory(AccountFactory)
    old_color = "green"
    new_color = "yellow"
    as_of = dt.date(2026, 11, 24)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    change = factory.SubFactory(HealthChangeFactory)
    account = factory.LazyAttribute(lambda n: n.change.account)
    recipient = factory.SubFactory(UserFactory)
    old_color = "green"
    new_color = "yellow"
    roles = "SAL / AE"
