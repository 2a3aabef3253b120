import datetime as dt

import factory

from accounts.models import MeetingStatus
from accounts.tests.factories import AccountFactory, MeetingFactory
from notes.models import (
    ActionItem,
    ChampionChange,
    ChampionChangeKind,
    FeatureRequest,
    NoteEntry,
    ProductRelease,
    RiskAssessment,
    SignalData,
)
from notes.rendering import sections_render


class NoteEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteEntry

    account = factory.SubFactory(AccountFactory)
    meeting = factory.SubFactory(MeetingFactory, account=factory.SelfAttribute("..account"), status=MeetingStatus.HELD)
    author = factory.SelfAttribute("account.tam")
    product_feedback = "Likes the new pipeline editor"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services do: the sections' HTML is rendered once, when the entry is saved.
        entry = model_class(*args, **kwargs)
        entry.sections_html = sections_render(entry)
        entry.save()
        return entry


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    entry = factory.SubFactory(NoteEntryFactory)
    account = factory.SelfAttribute("entry.account")
    text = factory.Sequence(lambda n: f"Action item {n}")
    owner = "Customer platform lead"
    due = dt.date(2026, 12, 1)


class FeatureRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeatureRequest

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Feature {n}")
    important = True


class ChampionChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChampionChange

    account = factory.SubFactory(AccountFactory)
    person = "Jane Doe"
    change = ChampionChangeKind.LEFT
    date = dt.date(2026, 10, 1)


class ProductReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductRelease
        django_get_or_create = ("major", "minor")

    major = 17
    minor = 6
    released_on = dt.date(2026, 11, 19)


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment

    account = factory.SubFactory(AccountFactory)
    date = dt.date(2026, 11, 1)


class SignalDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignalData

    account = factory.SubFactory(AccountFactory)
