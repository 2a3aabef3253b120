"""Notes are sensitive: they never appear in emails, URLs, logs or exports. Each point proven here."""

import datetime as dt
import json
import logging
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from accounts.models import Color, HealthSnapshot, Meeting, SentimentEntry
from accounts.scoring.services import scores_recompute
from accounts.tests.factories import AccountFactory, SentimentFactory, UserFactory
from notes.models import ActionItem, NoteEntry

pytestmark = pytest.mark.django_db

# Distinctive words that exist only in the note's text, never in anything we type elsewhere.
MARKERS = {
    "architecture_changes": "zanzibar-migration",
    "product_feedback": "quokka-feedback",
    "questions_answers": "pangolin-question",
    "health_business": "ocelot-budget",
    "action_item_updates": "narwhal-update",
}
ITEM_MARKER = "axolotl-action"


def all_markers():
    return [*MARKERS.values(), ITEM_MARKER]


@pytest.fixture
def account(tam, fixed_today):
    account = AccountFactory(tam=tam, name="Acme Corp")
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today.replace(day=1))
    return account


def post_note(client, account, **extra):
    data = {
        "date": "2026-11-23",
        "kind": "cadence",
        **{name: f"Notes about {marker}." for name, marker in MARKERS.items()},
        "health": "red",
        "health_reason": "Budget cut announced",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-text": f"Follow up on {ITEM_MARKER}",
        "items-0-owner": "TAM",
        **extra,
    }
    return client.post(f"/notes/accounts/{account.external_id}/new/", data)


def assert_no_marker(text: str, where: str) -> None:
    for marker in all_markers():
        assert marker not in text, f"note text {marker!r} leaked into {where}"


def test_no_note_text_in_logs_while_writing_reading_and_searching(
    client, account, tam, other_tam, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    # Even with SQL logging switched on (as with DEBUG=true), the configured levels keep the
    # queries, and so the note text in their parameters, out of the logs.
    connection.force_debug_cursor = True
    try:
        client.force_login(tam)
        with django_capture_on_commit_callbacks(execute=True):
            assert post_note(client, account).status_code == 302
        entry = NoteEntry.objects.get()
        client.get(f"/notes/accounts/{account.external_id}/")
        client.get(f"/notes/entries/{entry.pk}/")
        client.post("/notes/search/", {"q": "quokka"})
        client.get(f"/accounts/{account.external_id}/")
        post_note(client, account, health="green", health_reason="")  # a refused save
        client.force_login(other_tam)
        assert client.get(f"/notes/entries/{entry.pk}/").status_code == 403  # logged as a warning
    finally:
        connection.force_debug_cursor = False
    assert caplog.records, "expected some log records (the 403 warning at least)"
    for record in caplog.records:
        assert_no_marker(record.getMessage(), f"log record {record.name}")
        assert_no_marker(str(record.args), f"log args of {record.name}")


def test_no_note_text_in_emails(client, account, tam, fixed_today, django_capture_on_commit_callbacks):
    """Saving a note with a change to red runs every after-commit hook (the outbox drain is one):
    the account team is emailed about the change, and no email carries the note."""
    account.sal = UserFactory(username="sal-privacy")
    account.save()
    scores_recompute(as_of=fixed_today - dt.timedelta(days=1))  # green yesterday: red today is news
    client.force_login(tam)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_note(client, account).status_code == 302
    assert account.sentiments.filter(color=Color.RED).exists()
    assert [m.to for m in mail.outbox] == [["sal-privacy@example.com"]]
    for message in mail.outbox:
        assert_no_marker(message.subject + message.body, "an email")
        for alternative, _ in getattr(message, "alternatives", []):
            assert_no_marker(alternative, "an email")


def test_urls_carry_ids_only(client, account, tam):
    client.force_login(tam)
    response = post_note(client, account)
    entry = NoteEntry.objects.get()
    assert re.fullmatch(rf"/notes/accounts/{account.external_id}/#entry-{entry.pk}", response.url)
    pages = [
        f"/notes/accounts/{account.external_id}/",
        f"/notes/entries/{entry.pk}/",
        f"/notes/accounts/{account.external_id}/new/",
        f"/accounts/{account.external_id}/",
    ]
    htmls = {page: client.get(page).content.decode() for page in pages}
    htmls["search results"] = client.post("/notes/search/", {"q": "quokka"}).content.decode()
    for page, html in htmls.items():
        links = re.findall(r'(?:href|action|src)="([^"]*)"', html)
        assert links, page
        for link in links:
            assert_no_marker(link, f"a link on {page}")
            assert "quokka" not in link, f"the search term in a link on {page}"
    assert "quokka-feedback" in htmls["search results"]  # the excerpt, in the page body only


def test_no_note_text_in_exports_or_score_records(client, account, tam, capsys):
    client.force_login(tam)
    post_note(client, account)
    call_command("scorecard", "--json")
    call_command("scorecard")
    exported = capsys.readouterr().out
    assert exported.strip() and json.loads(exported.splitlines()[0])["account"] == account.external_id
    assert_no_marker(exported, "the scorecard export")
    snapshots = json.dumps(list(HealthSnapshot.objects.values("inputs", "measures")))
    assert_no_marker(snapshots, "health snapshots")
    assert_no_marker(json.dumps(list(Meeting.objects.values("summary", "attendees"))), "meetings")
    assert_no_marker(json.dumps(list(SentimentEntry.objects.values("reason"))), "sentiments")


def test_no_note_text_in_the_dashboard_csv_export(client, account, tam, manager):
    client.force_login(tam)
    post_note(client, account)
    client.force_login(manager)
    response = client.get("/dashboard/export.csv")
    exported = b"".join(response.streaming_content).decode()
    assert account.external_id in exported  # the account is exported, its notes are not
    assert_no_marker(exported, "the dashboard CSV export")


def test_model_names_never_include_note_text(client, account, tam):
    """__str__ is what Django's admin history and error pages print."""
    client.force_login(tam)
    post_note(client, account)
    for obj in [NoteEntry.objects.get(), ActionItem.objects.get()]:
        assert_no_marker(str(obj), type(obj).__name__)


def test_a_server_error_while_saving_emails_the_admins_without_the_note(client, account, tam, settings, monkeypatch):
    """Django mails ADMINS a full error report (POST data and local variables) on a 500."""
    settings.ADMINS = [("Ops", "ops@example.com")]

    def broken_rescore(**kwargs):
        raise RuntimeError("scoring is down")

    monkeypatch.setattr("accounts.scoring.services.account_rescore", broken_rescore)
    client.force_login(tam)
    client.raise_request_exception = False
    response = post_note(client, account, health="", health_reason="")
    assert response.status_code == 500
    [report] = mail.outbox
    assert "scoring is down" in report.body  # the report is there, useful
    assert "product_feedback" in report.body  # the POST keys are listed...
    assert_no_marker(report.subject + report.body, "the error email")  # ...their values are not
    for alternative, _ in report.alternatives:
        assert_no_marker(alternative, "the error email (HTML)")
    assert not NoteEntry.objects.exists()
