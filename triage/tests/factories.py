import datetime as dt

import factory

from accounts.tests.factories import AccountFactory
from triage.models import Cta, CtaKind, Risk, TriageOrigin, TriageRecord


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
