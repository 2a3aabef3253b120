"""The preview before saving a sentiment: the overall color and score it leads to, in words,
computed by the pure scorecard with the candidate put in, and nothing written."""

import datetime as dt

import pytest

from accounts import preview
from accounts.models import Color, HealthSnapshot, Meeting, SentimentEntry
from accounts.scoring import services as scoring
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory, healthy_account

pytestmark = pytest.mark.django_db


def written():
    return (SentimentEntry.objects.count(), Meeting.objects.count(), HealthSnapshot.objects.count())


def test_a_yellow_sentiment_on_a_green_account_shows_yellow_and_writes_nothing(tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    before = written()
    result = preview.sentiment_preview(account=account, sentiment=Color.YELLOW, today=fixed_today)
    assert (result.old_color, str(result.old_score), result.new_color, str(result.new_score)) == (
        Color.GREEN,
        "100.0",
        Color.YELLOW,
        "62.5",
    )
    assert result.sentence == "Yellow sentiment makes this account Yellow overall."
    assert written() == before
    account.refresh_from_db()
    assert account.health_color == Color.GREEN


def test_the_sentence_names_the_other_measures_that_pull_it_down(tam, fixed_today):
    # No success plan (ROI red), last meeting 45 days ago (Engagement yellow).
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=45))
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=2))
    scoring.account_rescore(account=account, as_of=fixed_today)
    result = preview.sentiment_preview(account=account, sentiment=Color.YELLOW, today=fixed_today)
    assert result.new_color == Color.RED
    assert result.sentence == "Yellow sentiment makes this account Red overall: ROI red, engagement yellow."


def test_the_same_color_keeps_the_account(tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam, sentiment=Color.YELLOW)
    result = preview.sentiment_preview(account=account, sentiment=Color.YELLOW, today=fixed_today)
    assert (result.changes_color, result.sentence) == (False, "Yellow sentiment keeps this account Yellow overall.")


def test_a_held_meeting_counts_for_engagement(tam, fixed_today):
    account = AccountFactory(tam=tam)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=100))
    SentimentFactory(account=account, color=Color.GREEN, date=fixed_today - dt.timedelta(days=2))
    scoring.account_rescore(account=account, as_of=fixed_today)
    without = preview.sentiment_preview(account=account, sentiment=None, today=fixed_today)
    with_call = preview.sentiment_preview(
        account=account, sentiment=None, held_meeting_on=fixed_today, today=fixed_today
    )
    assert without.result.measure("engagement").color == Color.RED
    assert with_call.result.measure("engagement").color == Color.GREEN
    assert with_call.sentence.startswith("Saving this ")


def test_a_future_meeting_date_is_not_counted(tam, fixed_today):
    account = AccountFactory(tam=tam)
    result = preview.sentiment_preview(
        account=account, sentiment=None, held_meeting_on=fixed_today + dt.timedelta(days=1), today=fixed_today
    )
    assert result.result.measure("engagement").color == Color.RED


# --- The endpoint -------------------------------------------------------------------------


def html(response) -> str:
    return response.content.decode()


def test_the_endpoint_answers_with_the_preview_for_each_form(client, tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    client.force_login(tam)
    url = f"/accounts/{account.external_id}/preview/"
    page = html(client.get(url, {"source": "sentiment", "color": "red"}))
    assert "Red sentiment makes this account Red overall." in page and "100.0" in page and "25.0" in page
    page = html(
        client.get(url, {"source": "activity", "sentiment_color": "yellow", "date": "2026-11-24", "status": "held"})
    )
    assert "Yellow sentiment makes this account Yellow overall." in page
    page = html(client.get(url, {"source": "note", "health": "confirm", "date": "2026-11-24"}))
    assert "Saving this keeps this account Green overall." in page
    assert "No one is notified: the overall color stays the same." in page


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"source": "sentiment"},
        {"source": "sentiment", "color": "purple"},
        {"source": "activity", "date": "yesterday", "status": "held"},
        {"source": "nope", "color": "red"},
    ],
)
def test_incomplete_or_bad_input_answers_with_a_hint_not_an_error(client, tam, fixed_today, params):
    account = healthy_account(today=fixed_today, tam=tam)
    client.force_login(tam)
    response = client.get(f"/accounts/{account.external_id}/preview/", params)
    assert response.status_code == 200 and "Choose a color to see" in html(response)


def test_a_nul_in_the_preview_is_a_404_not_a_500(client, tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    client.force_login(tam)
    response = client.get(f"/accounts/{account.external_id}/preview/", {"source": "sentiment", "color": "red\x00"})
    assert response.status_code == 404


def test_another_tams_account_is_forbidden_and_nothing_is_written(client, tam, other_tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=other_tam)
    before = written()
    client.force_login(tam)
    assert (
        client.get(f"/accounts/{account.external_id}/preview/", {"source": "sentiment", "color": "red"}).status_code
        == 403
    )
    assert written() == before


def test_the_sentiment_forms_carry_the_preview(client, tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    client.force_login(tam)
    page = html(client.get(f"/accounts/{account.external_id}/"))
    assert page.count(f'hx-get="/accounts/{account.external_id}/preview/"') == 2  # sentiment, activity
    assert "vendor/htmx/htmx.min.js" in page
    assert f'hx-get="/accounts/{account.external_id}/preview/"' in html(client.get("/my/"))


def test_the_meeting_note_form_carries_the_preview(client, tam, fixed_today):
    account = healthy_account(today=fixed_today, tam=tam)
    client.force_login(tam)
    page = html(client.get(f"/notes/accounts/{account.external_id}/new/"))
    assert f'hx-get="/accounts/{account.external_id}/preview/"' in page and '"source": "note"' in page
