"""Pages: permissions, no-store, sanitized Markdown, the note form end to end, signal data, risks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Color, Meeting, SentimentEntry
from accounts.tests.factories import AccountFactory, SentimentFactory, TicketFactory, UserFactory
from notes.models import ActionItem, ChampionChange, FeatureRequest, NoteEntry, RiskAssessment, SignalData
from notes.selectors import signal_data_of
from notes.tests.factories import (
    ActionItemFactory,
    FeatureRequestFactory,
    NoteEntryFactory,
    ProductReleaseFactory,
    RiskAssessmentFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = (
    "**ok** <script>alert('xss')</script> <img src=x onerror=\"alert(1)\"> "
    '[click](javascript:alert(2)) <a href="https://example.com" onclick="steal()">site</a> '
    '<svg onload=alert(3)></svg> <iframe src="https://evil.example"></iframe> '
    '<p style="background:url(javascript:alert(4))">styled</p> [data](data:text/html;base64,PHNjcmlwdD4=)'
)


def form_data(**overrides):
    data = {
        "date": "2026-11-23",
        "kind": "cadence",
        "attendees": "Customer CTO; TAM",
        "action_item_updates": "",
        "architecture_changes": "Moving runners to Kubernetes",
        "new_deployments": "",
        "product_feedback": "Likes merge trains",
        "support_review": "",
        "questions_answers": "",
        "health_business": "Budget approved",
        "health_operational": "Stable",
        "health": "",
        "health_reason": "",
        "risk_note": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-text": "",
        "items-0-owner": "",
        "items-0-due": "",
        "items-1-text": "",
        "items-1-owner": "",
        "items-1-due": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def account(tam):
    account = AccountFactory(tam=tam, name="Acme Corp")
    SentimentFactory(account=account, color=Color.GREEN, date=dt.date(2026, 10, 1))
    return account


# --- Permissions and headers ----------------------------------------------------------------


def test_notes_are_403_for_another_tam_but_readable_by_the_account_team_and_managers(
    client, account, other_tam, manager, admin_user
):
    entry = NoteEntryFactory(account=account)
    sal, sa = UserFactory(username="sal"), UserFactory(username="sa")
    account.sal, account.solutions_architect = sal, sa
    account.save()
    urls = [f"/notes/accounts/{account.external_id}/", f"/notes/entries/{entry.pk}/"]
    for user, status in [(other_tam, 403), (sal, 200), (sa, 200), (manager, 200), (admin_user, 200)]:
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == status, (user.username, url)
            if status == 403:
                assert b"Likes the new pipeline editor" not in response.content


def test_note_pages_send_no_store_and_private(client, account, tam):
    entry = NoteEntryFactory(account=account)
    client.force_login(tam)
    for url in [
        f"/notes/accounts/{account.external_id}/",
        f"/notes/accounts/{account.external_id}/new/",
        f"/notes/accounts/{account.external_id}/risks/",
        f"/notes/entries/{entry.pk}/",
        "/notes/search/",
    ]:
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_only_the_accounts_tam_or_an_admin_may_write(client, account, other_tam, manager):
    for user in (other_tam, manager):
        client.force_login(user)
        response = client.post(f"/notes/accounts/{account.external_id}/new/", form_data())
        assert response.status_code == 403
    assert not NoteEntry.objects.exists() and not Meeting.objects.exists()


def test_unknown_account_or_entry_is_404(client, tam):
    client.force_login(tam)
    assert client.get("/notes/accounts/NOPE/").status_code == 404
    assert client.get("/notes/entries/999/").status_code == 404


# --- Markdown is rendered safely ------------------------------------------------------------


def test_hostile_markdown_is_sanitized_on_the_document(client, account, tam):
    NoteEntryFactory(account=account, product_feedback=HOSTILE, questions_answers="# Heading\n\n- a\n- b")
    client.force_login(tam)
    html = client.get(f"/notes/accounts/{account.external_id}/").content.decode()
    body = html.split('<article class="card note-entry"')[1]
    assert "<strong>ok</strong>" in body
    assert "<h3>Heading</h3>" in body and "<li>a</li>" in body
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "style=", "data:text"):
        assert bad not in body.lower(), bad
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in body


def test_plain_fields_are_escaped_not_rendered(client, account, tam):
    entry = NoteEntryFactory(account=account, meeting__attendees="<b>Bob</b>")
    ActionItemFactory(entry=entry, text="<script>x()</script>", owner="<i>Ann</i>")
    client.force_login(tam)
    html = client.get(f"/notes/entries/{entry.pk}/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "&lt;b&gt;Bob&lt;/b&gt;" in html
    assert "<script>x()" not in html


# --- The note form --------------------------------------------------------------------------


def test_tam_writes_a_note_with_an_action_item_and_a_health_change(client, account, tam, fixed_today):
    client.force_login(tam)
    response = client.post(
        f"/notes/accounts/{account.external_id}/new/",
        form_data(
            **{"items-0-text": "Share upgrade guide", "items-0-owner": "TAM", "items-0-due": "2026-12-01"},
            health="yellow",
            health_reason="Champion moving roles",
            risks=["sponsor_or_champion"],
        ),
    )
    entry = NoteEntry.objects.get()
    assert response.status_code == 302
    assert response.url == f"/notes/accounts/{account.external_id}/#entry-{entry.pk}"
    assert entry.architecture_changes == "Moving runners to Kubernetes"
    assert ActionItem.objects.get().text == "Share upgrade guide"
    account.refresh_from_db()
    assert account.sentiments.latest("created_at").color == Color.YELLOW
    assert RiskAssessment.objects.get().categories == ["sponsor_or_champion"]
    page = client.get(response.url).content.decode()
    assert "Acme Corp - Meeting Notes" in page and "Share upgrade guide" in page and "Moving runners" in page


def test_form_shows_open_items_to_tick_and_todays_open_tickets(client, account, tam, fixed_today):
    item = ActionItemFactory(entry=NoteEntryFactory(account=account), text="Send runner docs")
    TicketFactory(account=account, external_id="ZD-77", subject="Runner timeouts", opened=fixed_today)
    client.force_login(tam)
    html = client.get(f"/notes/accounts/{account.external_id}/new/").content.decode()
    assert f'value="{item.pk}"' in html and "Send runner docs" in html
    assert "ZD-77" in html and "Runner timeouts" in html
    assert "Did customer health change?" in html and "csrfmiddlewaretoken" in html
    client.post(f"/notes/accounts/{account.external_id}/new/", form_data(done_items=[str(item.pk)]))
    item.refresh_from_db()
    assert item.done


def test_bad_input_anywhere_saves_nothing_and_shows_errors_next_to_fields(client, account, tam, fixed_today):
    client.force_login(tam)
    before = (Meeting.objects.count(), SentimentEntry.objects.count())
    response = client.post(
        f"/notes/accounts/{account.external_id}/new/",
        form_data(
            **{"items-0-text": "Orphan item", "items-0-owner": ""},
            health="red",
        ),
    )
    assert response.status_code == 200
    # Every problem at once: the item's owner and the missing reason.
    assert response.context["form"].errors == {"health_reason": ["Say why the sentiment changes."]}
    assert "Every action item needs an owner." in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert (Meeting.objects.count(), SentimentEntry.objects.count()) == before and not NoteEntry.objects.exists()


def test_service_errors_land_next_to_their_field(client, tam, fixed_today):
    account = AccountFactory(tam=tam)  # no sentiment yet: nothing to confirm
    NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, 23))
    client.force_login(tam)
    response = client.post(
        f"/notes/accounts/{account.external_id}/new/", form_data(date="2026-11-20", health="confirm")
    )
    errors = response.context["form"].errors
    assert errors["date"][0].startswith("The running notes go forward")
    response = client.post(f"/notes/accounts/{account.external_id}/new/", form_data(health="confirm"))
    assert response.context["form"].errors == {
        "health": ["Set a TAM sentiment before confirming the health is current."]
    }
    assert NoteEntry.objects.count() == 1 and Meeting.objects.count() == 1


def test_future_dates_are_refused_by_the_form(client, account, tam, fixed_today):
    client.force_login(tam)
    response = client.post(f"/notes/accounts/{account.external_id}/new/", form_data(date="2026-11-25"))
    assert "date" in response.context["form"].errors and not NoteEntry.objects.exists()


# --- Account page panel ---------------------------------------------------------------------


def test_account_page_links_the_notes_with_the_latest_entry_date_and_shows_signals(client, account, tam):
    NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, 20), product_feedback="SECRET-FEEDBACK")
    client.force_login(tam)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Health Score Reasons" in html
    assert f'href="/notes/accounts/{account.external_id}/">Acme Corp - Meeting Notes</a>' in html
    assert "latest entry 2026-11-20" in html
    assert "Utilization" in html and "Failure to upgrade" in html and "Missed cadence calls" in html
    assert "SECRET-FEEDBACK" not in html


def test_account_page_hides_the_notes_link_from_other_tams(client, account, other_tam):
    NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, 20))
    client.force_login(other_tam)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "Meeting Notes</a>" not in html and "latest entry" not in html
    assert "visible to the account team, managers and admins" in html
    assert "Write a meeting note" not in html


def test_account_page_query_count_with_the_panel_is_fixed(client, account, tam):
    client.force_login(tam)
    with CaptureQueriesContext(connection) as empty:
        client.get(f"/accounts/{account.external_id}/")
    for _ in range(5):
        FeatureRequestFactory(account=account)
        NoteEntryFactory(account=account)
    with CaptureQueriesContext(connection) as full:
        client.get(f"/accounts/{account.external_id}/")
    assert len(full.captured_queries) == len(empty.captured_queries)


# --- Risks ----------------------------------------------------------------------------------


def test_tam_records_risk_categories_and_the_history_is_kept(client, account, tam, fixed_today):
    RiskAssessmentFactory(account=account, product_adoption=True, note="Low use")
    client.force_login(tam)
    response = client.post(
        f"/notes/accounts/{account.external_id}/risks/",
        {"categories": ["customer_engagement", "customer_sentiment"], "note": "Missed calls"},
    )
    assert response.status_code == 302
    html = client.get(f"/notes/accounts/{account.external_id}/risks/").content.decode()
    assert "Customer engagement; Customer sentiment" in html and "Product adoption and utilization" in html
    assert RiskAssessment.objects.filter(account=account).count() == 2
    page = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "<li>Customer engagement</li>" in page and "Assessed 2026-11-24" in page


def test_unknown_risk_category_is_a_field_error(client, account, tam):
    client.force_login(tam)
    response = client.post(f"/notes/accounts/{account.external_id}/risks/", {"categories": ["budget"]})
    assert response.status_code == 200 and "categories" in response.context["form"].errors
    assert not RiskAssessment.objects.exists()


def test_managers_read_the_risk_history_without_a_form(client, account, manager):
    client.force_login(manager)
    response = client.get(f"/notes/accounts/{account.external_id}/risks/")
    assert response.status_code == 200 and response.context["form"] is None


# --- Signal data ----------------------------------------------------------------------------


def signal_form(**overrides):
    data = {
        "deployment": "self_managed",
        "licences_purchased": "500",
        "licences_used": "120",
        "product_stages": ["create"],
        "current_version": "15.4",
        "fr-TOTAL_FORMS": "1",
        "fr-INITIAL_FORMS": "0",
        "fr-0-title": "SAML group sync",
        "fr-0-status": "open",
        "fr-0-important": "on",
        "fr-0-opened": "2026-11-01",
        "fr-0-external_id": "FR-9",
        "cc-TOTAL_FORMS": "1",
        "cc-INITIAL_FORMS": "0",
        "cc-0-person": "Jane Doe",
        "cc-0-role": "champion",
        "cc-0-change": "left",
        "cc-0-date": "2026-11-10",
        "cc-0-external_id": "",
    }
    data.update(overrides)
    return data


def test_tam_edits_the_data_behind_the_signals_and_sees_the_verdicts(client, account, tam, fixed_today):
    ProductReleaseFactory(major=17, minor=6)
    client.force_login(tam)
    response = client.post(f"/notes/accounts/{account.external_id}/signals/", signal_form())
    assert response.status_code == 302 and response.url == f"/accounts/{account.external_id}/"
    data = SignalData.objects.get(account=account)
    assert (data.licences_used, data.product_stages, data.current_version) == (120, ["create"], "15.4")
    assert FeatureRequest.objects.get().external_id == "FR-9"
    assert ChampionChange.objects.get().person == "Jane Doe"
    html = client.get(response.url).content.decode()
    assert "Develop an upgrade plan with the customer if appropriate." in html
    assert "only a single facet of the product is used" in html
    assert "Jane Doe (Champion): left the company on 2026-11-10" in html


def test_bad_signal_data_saves_nothing_and_explains(client, account, tam):
    client.force_login(tam)
    response = client.post(
        f"/notes/accounts/{account.external_id}/signals/",
        signal_form(current_version="sixteen", **{"cc-0-change": "vanished"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write the version as major.minor" in html and "Select a valid choice" in html
    assert signal_data_of(account).current_version == "" and not FeatureRequest.objects.exists()


def test_feature_requests_can_be_deleted_from_the_form(client, account, tam):
    request = FeatureRequestFactory(account=account)
    client.force_login(tam)
    data = signal_form(
        **{
            "fr-TOTAL_FORMS": "1",
            "fr-INITIAL_FORMS": "1",
            "fr-0-id": str(request.pk),
            "fr-0-title": request.title,
            "fr-0-DELETE": "on",
            "cc-TOTAL_FORMS": "0",
        }
    )
    assert client.post(f"/notes/accounts/{account.external_id}/signals/", data).status_code == 302
    assert not FeatureRequest.objects.exists()


def test_signal_form_cannot_touch_another_accounts_rows(client, account, tam):
    foreign = FeatureRequestFactory(title="Foreign")
    client.force_login(tam)
    data = signal_form(
        **{
            "fr-INITIAL_FORMS": "1",
            "fr-0-id": str(foreign.pk),
            "fr-0-DELETE": "on",
            "cc-TOTAL_FORMS": "0",
        }
    )
    client.post(f"/notes/accounts/{account.external_id}/signals/", data)
    # The formset only knows this account's rows: the foreign id is ignored, never deleted.
    assert FeatureRequest.objects.filter(pk=foreign.pk, title="Foreign").exists()


def _fill(account, entries):
    for day in range(1, entries + 1):
        entry = NoteEntryFactory(account=account, meeting__date=dt.date(2026, 10, day))
        ActionItemFactory(entry=entry)
        TicketFactory(account=account, opened=dt.date(2026, 10, day))


def test_document_query_count_does_not_grow_with_entries(client, account, tam, django_assert_num_queries):
    client.force_login(tam)
    _fill(account, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/notes/accounts/{account.external_id}/")
    baseline = len(few)  # now: each request clears the query log
    _fill(AccountFactory(tam=tam), 1)
    more = AccountFactory(tam=tam)
    _fill(more, 10)
    with django_assert_num_queries(baseline):
        response = client.get(f"/notes/accounts/{more.external_id}/")
    assert response.content.decode().count('class="card note-entry"') == 10


def test_search_query_count_does_not_grow_with_results(client, tam, django_assert_num_queries):
    client.force_login(tam)
    account = AccountFactory(tam=tam)
    for day in range(1, 3):
        NoteEntryFactory(account=account, meeting__date=dt.date(2026, 10, day), product_feedback="runners")
    client.post("/notes/search/", {"q": "runners"})
    with CaptureQueriesContext(connection) as few:
        client.post("/notes/search/", {"q": "runners"})
    baseline = len(few)
    for day in range(3, 15):
        NoteEntryFactory(account=account, meeting__date=dt.date(2026, 10, day), product_feedback="runners")
    with django_assert_num_queries(baseline):
        client.post("/notes/search/", {"q": "runners"})


def test_tam_corrects_an_entrys_text_and_attendees_only(client, account, tam, other_tam, fixed_today):
    entry = NoteEntryFactory(account=account, meeting__date=dt.date(2026, 11, 20), product_feedback="Typo")
    item = ActionItemFactory(entry=entry)
    client.force_login(other_tam)
    assert client.post(f"/notes/entries/{entry.pk}/edit/", {"product_feedback": "Hijack"}).status_code == 403
    client.force_login(tam)
    edit = client.get(f"/notes/entries/{entry.pk}/edit/")
    assert "no-store" in edit["Cache-Control"] and "Typo" in edit.content.decode()
    response = client.post(
        f"/notes/entries/{entry.pk}/edit/", {"product_feedback": "Fixed **typo**", "attendees": "CTO"}
    )
    assert response.url == f"/notes/accounts/{account.external_id}/#entry-{entry.pk}"
    entry.refresh_from_db()
    assert (entry.product_feedback, entry.meeting.attendees, entry.meeting.date) == (
        "Fixed **typo**",
        "CTO",
        dt.date(2026, 11, 20),
    )
    assert ActionItem.objects.get() == item
    assert "Correct this entry" in client.get(f"/notes/accounts/{account.external_id}/").content.decode()


def test_readers_who_cannot_write_see_no_correct_link(client, account, manager):
    NoteEntryFactory(account=account)
    client.force_login(manager)
    assert "Correct this entry" not in client.get(f"/notes/accounts/{account.external_id}/").content.decode()


def test_an_empty_note_is_refused_with_a_clear_message(client, account, tam):
    client.force_login(tam)
    empty = {name: "" for name in ("architecture_changes", "product_feedback", "health_business", "health_operational")}
    response = client.post(f"/notes/accounts/{account.external_id}/new/", form_data(**empty))
    assert "This meeting note is empty" in response.content.decode()
    assert not NoteEntry.objects.exists() and not Meeting.objects.exists()
