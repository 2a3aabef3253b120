"""The API's renewal outcomes (/api/v1/accounts/<id>/renewal-outcomes/): who may list and record,
and a 400 that lists every problem."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import AccountFactory
from quality.models import RenewalOutcome
from quality.tests.factories import RenewalOutcomeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/accounts/{}/renewal-outcomes/"
GOOD = {"date": "2026-10-31", "outcome": "downsell", "arr": 80000}


@pytest.fixture
def users(tam, other_tam, manager, admin_user, no_role):
    return {
        "anonymous": None,
        "no_role": no_role,
        "tam": tam,
        "other_tam": other_tam,
        "manager": manager,
        "admin": admin_user,
    }


@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", 401), ("no_role", 403), ("tam", 201), ("other_tam", 403), ("manager", 201), ("admin", 201)],
)
def test_the_accounts_tam_managers_and_admins_record(users, api_as, fixed_today, role, expected):
    account = AccountFactory(external_id="OWN-1", tam=users["tam"])
    response = api_as(users[role]).post(URL.format("OWN-1"), GOOD, format="json")
    assert response.status_code == expected, response.content
    assert RenewalOutcome.objects.filter(account=account).exists() == (expected == 201)
    if expected == 201:
        assert response.json() == {
            "date": "2026-10-31",
            "outcome": "downsell",
            "arr": "80000.00",
            "recorded_by": users[role].username,
            "created_at": response.json()["created_at"],
        }


def test_the_same_date_again_corrects_the_outcome(users, api_as, fixed_today):
    AccountFactory(external_id="OWN-1", tam=users["tam"])
    client = api_as(users["tam"])
    assert client.post(URL.format("OWN-1"), GOOD, format="json").status_code == 201
    again = client.post(URL.format("OWN-1"), {**GOOD, "outcome": "churned", "arr": 0}, format="json")
    assert again.status_code == 200
    assert list(RenewalOutcome.objects.values_list("outcome", "arr")) == [("churned", Decimal("0"))]


def test_a_bad_outcome_gets_a_400_listing_every_problem(users, api_as, fixed_today):
    AccountFactory(external_id="OWN-1", tam=users["tam"])
    response = api_as(users["tam"]).post(
        URL.format("OWN-1"), {"date": "2026-12-31", "outcome": "lost", "arr": -3}, format="json"
    )
    assert response.status_code == 400
    paths = {(p["path"], p["message"]) for p in response.json()["errors"]}
    assert ("date", "Must not be after today (2026-11-24).") in paths
    assert ("outcome", '"lost" is not a valid choice.') in paths
    assert ("arr", "Ensure this value is greater than or equal to 0.") in paths
    churned = api_as(users["tam"]).post(URL.format("OWN-1"), {**GOOD, "outcome": "churned"}, format="json")
    assert churned.json() == {
        "errors": [{"path": "arr", "message": "The ARR after the renewal must be 0 for a churned account."}]
    }
    assert not RenewalOutcome.objects.exists()


@pytest.mark.parametrize("role, expected", [("anonymous", 401), ("no_role", 403), ("other_tam", 200)])
def test_anyone_with_a_role_lists_an_accounts_outcomes(users, api_as, role, expected):
    account = AccountFactory(external_id="OWN-1", tam=users["tam"])
    RenewalOutcomeFactory(account=account, date=dt.date(2025, 10, 31), outcome="renewed", arr=Decimal(100))
    RenewalOutcomeFactory(account=account, date=dt.date(2026, 10, 31), outcome="churned", arr=Decimal(0))
    response = api_as(users[role]).get(URL.format("OWN-1"))
    assert response.status_code == expected
    if expected == 200:
        assert [(o["date"], o["outcome"]) for o in response.json()] == [
            ("2026-10-31", "churned"),
            ("2025-10-31", "renewed"),
        ]


def test_unknown_accounts_are_404(users, api_as):
    assert api_as(users["admin"]).get(URL.format("NOPE")).status_code == 404
    assert api_as(users["admin"]).post(URL.format("NOPE"), GOOD, format="json").status_code == 404


def test_the_bulk_upsert_takes_renewal_outcomes(users, api_as, fixed_today):
    AccountFactory(external_id="OWN-1")
    doc = {"renewal_outcomes": [{"account": "OWN-1", "date": "2026-10-31", "outcome": "expanded", "arr": 5}]}
    response = api_as(users["admin"]).post("/api/v1/bulk/", doc, format="json")
    assert response.status_code == 200 and response.json()["created"]["renewal_outcomes"] == 1
