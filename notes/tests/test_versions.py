"""Correcting a meeting note keeps the earlier text, readable by those who may read the note,
and the entry shows "edited"."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import AccountFactory
from notes import services
from notes.models import NoteEntryVersion
from notes.tests.factories import NoteEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(tam):
    return NoteEntryFactory(account=AccountFactory(tam=tam), product_feedback="Likes merge trainz")


def correct(entry, by, text="Likes merge trains", attendees=""):
    return services.note_update(
        entry=entry, sections=services.NoteSections(product_feedback=text), attendees=attendees, by=by
    )


def test_a_correction_keeps_the_earlier_text_and_marks_the_entry_edited(entry, tam):
    corrected = correct(entry, tam)
    assert corrected.product_feedback == "Likes merge trains" and corrected.edited_at is not None
    [version] = NoteEntryVersion.objects.filter(entry=entry)
    assert version.sections["product_feedback"] == "Likes merge trainz"
    assert (version.written_by, version.written_at, version.replaced_by) == (entry.author, entry.created_at, tam)


def test_a_second_correction_keeps_both_earlier_texts_newest_first(entry, tam):
    correct(entry, tam, "Second")
    correct(entry, tam, "Third")
    versions = list(entry.versions.all())
    assert [v.sections["product_feedback"] for v in versions] == ["Second", "Likes merge trainz"]
    assert versions[0].written_by == tam  # "Second" was written by the one who replaced the first text


def test_saving_the_same_text_changes_nothing(entry, tam):
    correct(entry, tam, entry.product_feedback, attendees=entry.meeting.attendees)
    entry.refresh_from_db()
    assert entry.edited_at is None and not NoteEntryVersion.objects.exists()


def test_a_note_cannot_be_emptied(entry, tam):
    with pytest.raises(ValidationError, match="cannot be emptied"):
        correct(entry, tam, "  ")
    assert not NoteEntryVersion.objects.exists()


def test_the_earlier_version_is_shown_to_note_readers_only(client, entry, tam, other_tam, manager):
    correct(entry, tam)
    client.force_login(tam)
    document = client.get(f"/notes/accounts/{entry.account.external_id}/").content.decode()
    assert ">edited</a>" in document
    page = client.get(f"/notes/entries/{entry.pk}/").content.decode()
    assert "Earlier versions" in page and "Likes merge trainz" in page
    client.force_login(manager)
    assert "Likes merge trainz" in client.get(f"/notes/entries/{entry.pk}/").content.decode()
    client.force_login(other_tam)  # not on the account team: may not read the notes
    response = client.get(f"/notes/entries/{entry.pk}/")
    assert response.status_code == 403 and b"Likes merge trainz" not in response.content


def test_the_edit_page_refuses_emptying_with_a_message(client, entry, tam):
    client.force_login(tam)
    response = client.post(f"/notes/entries/{entry.pk}/edit/", {"product_feedback": "", "attendees": ""})
    assert "cannot be emptied" in response.content.decode()
    entry.refresh_from_db()
    assert entry.product_feedback == "Likes merge trainz"
