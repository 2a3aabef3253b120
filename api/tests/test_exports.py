"""Exports of the account list, the scorecards and an account's history, as CSV and JSON."""

import csv
import io

import pytest

from accounts.models import Color
from accounts.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(account_in, other_tam):
    account_in(Color.GREEN, external_id="A-1", name="Acme")
    account_in(Color.RED, external_id="A-2", name='=HYPERLINK("http://x")', tam=other_tam)


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_account_list_as_csv_and_json_with_the_filters(client, tam, accounts):
    client.force_login(tam)
    response = client.get("/api/exports/accounts.csv")
    assert response["Content-Disposition"] == 'attachment; filename="accounts.csv"'
    rows = _csv(response)
    assert [r["id"] for r in rows] == ["A-1", "A-2"]
    # A cell a spreadsheet would run as a formula is kept as text.
    assert rows[1]["name"] == '\'=HYPERLINK("http://x")'
    assert [r["id"] for r in client.get("/api/exports/accounts.json?color=red").json()] == ["A-2"]
    assert client.get("/api/exports/accounts.json?color=blue").status_code == 400
    assert client.get("/api/exports/accounts.xml").status_code == 400


def test_scorecards_have_every_measure(client, tam, accounts, django_assert_max_num_queries):
    client.force_login(tam)
    # session, user, roles, rules, the accounts and the engine's six input reads (four for the
    # score, two for its confidence): not per account
    with django_assert_max_num_queries(11):
        rows = client.get("/api/exports/scorecards.json").json()
    acme = rows[0]
    assert acme["color"] == "green" and acme["score"] == "100.0"
    assert acme["sentiment_weight"] == 75 and acme["sentiment_effective_weight"] == "75.00"
    assert acme["engagement_detail"]
    assert isinstance(acme["confidence"], int) and "confidence_reasons" in acme
    assert _csv(client.get("/api/exports/scorecards.csv"))[1]["color"] == "red"


def test_an_accounts_history(client, tam, accounts):
    client.force_login(tam)
    rows = client.get("/api/exports/accounts/A-2/history.json").json()
    assert {"date", "what", "old", "new", "who", "why", "source"} == set(rows[0])
    assert _csv(client.get("/api/exports/accounts/A-2/history.csv"))
    assert client.get("/api/exports/accounts/NOPE/history.csv").status_code == 404


def test_exports_need_a_role_and_the_history_its_account_team(client, db, accounts):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get("/api/exports/accounts.csv").status_code == 403
    assert client.get("/api/exports/scorecards.csv").status_code == 403
    assert client.get("/api/exports/accounts/A-1/history.csv").status_code == 403
    team = UserFactory(username="sal")
    AccountFactory(external_id="T-1", sal=team)
    client.force_login(team)
    assert client.get("/api/exports/accounts/T-1/history.csv").status_code == 200
