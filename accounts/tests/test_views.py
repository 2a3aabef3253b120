"""The first UI: login, the account list and the scorecard page."""

import datetime as dt

import pytest

from accounts import services
from accounts.models import Color
from accounts.tests.factories import AccountFactory, MeetingFactory, SentimentFactory

pytestmark = pytest.mark.django_db


def test_login_page_and_redirect_for_anonymous(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response.url == "/login/?next=/accounts/"
    assert b"csrfmiddlewaretoken" in client.get("/login/").content


def test_login_with_a_bad_password_shows_an_error(client, tam):
    response = client.post("/login/", {"username": "tam", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_account_list_shows_color_score_and_date(client, tam, fixed_today):
    account = AccountFactory(tam=tam, name="Acme Corp")
    SentimentFactory(account=account, color=Color.RED, date=fixed_today)
    services.scores_recompute(as_of=fixed_today)
    client.force_login(tam)
    html = client.get("/accounts/").content.decode()
    assert "Acme Corp" in html and 'chip-red">Red<' in html and "2026-11-24" in html


def test_account_list_query_count_is_fixed(client, tam, django_assert_max_num_queries):
    AccountFactory.create_batch(30)
    client.force_login(tam)
    with django_assert_max_num_queries(8):
        client.get("/accounts/")


def test_account_page_explains_every_measure(client, tam, fixed_today):
    account = AccountFactory(tam=tam, segment="commercial", arr=30000)
    MeetingFactory(account=account, date=fixed_today - dt.timedelta(days=95))
    SentimentFactory(account=account, date=fixed_today)
    client.force_login(tam)
    html = client.get(f"/accounts/{account.external_id}/").content.decode()
    assert "95 days since last meeting" in html
    assert "ROI: not measured for Commercial accounts under $50,000 ARR, so its 10 % is shared" in html
    assert "11.11 %" in html


def test_unknown_account_is_404(client, tam):
    client.force_login(tam)
    assert client.get("/accounts/NOPE/").status_code == 404
