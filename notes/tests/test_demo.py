"""seed_demo fills the notes app too, so the demo shows notes, items and signals."""

import pytest
from django.core.management import call_command

from notes import selectors
from notes.models import ActionItem, ChampionChange, FeatureRequest, NoteEntry, ProductRelease, RiskAssessment

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_notes_documents_items_requests_and_a_latest_release(fixed_today):
    call_command("seed_demo", accounts=40, verbosity=0)
    assert selectors.latest_release().version == "17.10"
    assert ProductRelease.objects.count() > 20
    documents = NoteEntry.objects.values("account").distinct().count()
    assert documents == 6 * 3  # three accounts for each of the six demo TAMs
    assert NoteEntry.objects.count() >= 2 * documents
    assert ActionItem.objects.filter(done=True).exists() and ActionItem.objects.filter(done=False).exists()
    assert FeatureRequest.objects.filter(important=True, status="open").exists()
    assert ChampionChange.objects.exists() and RiskAssessment.objects.exists()
    # Every note's meeting is held and the running notes go forward in time.
    for entry in NoteEntry.objects.select_related("meeting"):
        assert entry.meeting.status == "held" and entry.meeting.date <= fixed_today
