"""Every endpoint for every role, with the web app's rules; the reads' content and filters; the
writes (sentiment rescored in the request, bulk upsert all-or-nothing and idempotent); tokens;
throttling; meeting notes never served."""

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from accounts.models import Account, Color, HealthSnapshot, Meeting, Region, Segment, SentimentEntry
from accounts.tests.factories import AccountFactory, UserFactory
from api import services
from api.throttling import PerTokenThrottle
from triage.tests.factories import CtaFactory, TriageRecordFactory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "no_role", "tam", "manager", "admin"]


@dataclass
class World:
    users: dict
    own: Account  # the TAM's
    other: Account  # another TAM's


@pytest.fixture
def world(account_in, tam, other_tam, manager, admin_user, no_role) -> World:
    own = account_in(Color.GREEN, external_id="OWN-1", name="Own Co")
    other = account_in(Color.YELLOW, external_id="OTHER-1", name="Other Co", tam=other_tam)
    TriageRecordFactory(account=other)
    CtaFactory(account=other)
    users = {"anonymous": None, "no_role": no_role, "tam": tam, "manager": manager, "admin": admin_user}
    return World(users=users, own=own, other=other)


def _reads(account_id):
    base = f"/api/v1/accounts/{account_id}/"
    return [base, base + "scorecard/", base + "history/", base + "triage/", base + "ctas/"]


READ_EXPECTED = dict(list(zip(ROLES, [401, 403, 200, 200, 200], strict=True)))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/api/v1/accounts/", *_reads("OTHER-1")])
def test_reads_follow_the_web_rules(world, api_as, role, path):
    response = api_as(world.users[role]).get(path)
    assert response.status_code == READ_EXPECTED[role], (path, role, response.content)


@pytest.mark.parametrize("role,expected", list(zip(ROLES, [401, 403, 403, 200, 200], strict=True)))
def test_the_dashboard_is_for_managers_and_admins(world, api_as, role, expected):
    assert api_as(world.users[role]).get("/api/v1/dashboard/").status_code == expected


@pytest.mark.parametrize("path", _reads("OWN-1"))
def test_the_account_team_reads_its_own_account_without_a_role(world, api_as, path):
    sal = UserFactory(username="sal-only")
    Account.objects.filter(pk=world.own.pk).update(sal=sal)
    client = api_as(sal)
    assert client.get(path).status_code == 200
    assert client.get(path.replace("OWN-1", "OTHER-1")).status_code == 403
    assert client.get("/api/v1/accounts/").status_code == 403


@pytest.mark.parametrize("role,expected", list(zip(ROLES, [401, 403, 403, 403, 201], strict=True)))
def test_only_its_tam_or_an_admin_sets_an_accounts_sentiment(world, api_as, role, expected):
    before = list(world.other.sentiments.values_list("pk", flat=True))
    response = api_as(world.users[role]).post(
        "/api/v1/accounts/OTHER-1/sentiment/", {"color": "red", "reason": "Champion left"}, format="json"
    )
    assert response.status_code == expected
    if expected != 201:
        assert list(world.other.sentiments.values_list("pk", flat=True)) == before


@pytest.mark.parametrize("role,expected", list(zip(ROLES, [401, 403, 403, 403, 200], strict=True)))
def test_bulk_upsert_is_for_admins(world, api_as, role, expected):
    doc = {"accounts": [{"id": "NEW-1", "name": "New", "segment": "enterprise", "arr": 1, "region": "EMEA"}]}
    response = api_as(world.users[role]).post("/api/v1/bulk/", doc, format="json")
    assert response.status_code == expected
    assert Account.objects.filter(external_id="NEW-1").exists() == (expected == 200)


def test_unknown_and_malformed_account_ids_are_404(world, api_as):
    client = api_as(world.users["admin"])
    assert client.get("/api/v1/accounts/NOPE/").status_code == 404
    assert client.get("/api/v1/accounts/bad%00id/").status_code == 404
    assert client.post("/api/v1/accounts/NOPE/sentiment/", {"color": "red"}, format="json").status_code == 404


# --- Tokens and sessions -------------------------------------------------------------------


def test_the_browser_session_works_too(world, client):
    client.force_login(world.users["tam"])
    assert client.get("/api/v1/accounts/OWN-1/").json()["name"] == "Own Co"


def test_a_revoked_or_expired_token_is_401_and_use_is_recorded(world, api_as, fixed_today):
    tam = world.users["tam"]
    token, key = services.token_create(user=tam, name="x")
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/accounts/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    services.token_revoke(token=token)
    assert client.get("/api/v1/accounts/").status_code == 401
    _, old_key = services.token_create(user=tam, name="old", expires_on=fixed_today)
    token = tam.api_tokens.get(name="old")
    token.expires_on = fixed_today - dt.timedelta(days=1)
    token.save()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {old_key}")
    response = client.get("/api/v1/accounts/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_deactivated_users_token_stops_working(world, api_as):
    tam = world.users["tam"]
    client = api_as(tam)
    User.objects.filter(pk=tam.pk).update(is_active=False)
    assert client.get("/api/v1/accounts/").status_code == 401


def test_each_token_has_its_own_budget(world, key_for, monkeypatch):
    from rest_framework.test import APIClient

    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(world.users['tam'])}")
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(world.users['tam'])}")
    assert [first.get("/api/v1/accounts/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/accounts/").status_code == 200


# --- Reads ---------------------------------------------------------------------------------


def test_the_scorecard_has_every_measure_with_color_weight_effective_weight_and_detail(world, api_as):
    body = api_as(world.users["tam"]).get("/api/v1/accounts/OWN-1/scorecard/").json()
    assert body["account"] == "OWN-1" and body["color"] == "green" and body["score"] == "100.0"
    measures = {m["name"]: m for m in body["measures"]}
    assert list(measures) == ["engagement", "roi", "support", "sentiment"]
    assert measures["sentiment"] == {
        "name": "sentiment",
        "label": "TAM Sentiment",
        "color": "green",
        "weight": 75,
        "effective_weight": "75.00",
        "detail": measures["sentiment"]["detail"],
    }
    assert all(m["detail"] for m in body["measures"])


def test_history_triage_and_ctas_of_an_account(world, api_as):
    client = api_as(world.users["manager"])
    history = client.get("/api/v1/accounts/OTHER-1/history/").json()
    assert {"date", "what", "old", "new", "who", "why", "source"} <= set(history[0])
    [record] = client.get("/api/v1/accounts/OTHER-1/triage/").json()
    assert record["status"] == "open" and record["risk"] == "HS::Yellow"
    [cta] = client.get("/api/v1/accounts/OTHER-1/ctas/").json()
    assert cta["kind"] == "decide_triage" and cta["state"] == "open"


def test_dashboard_totals(world, api_as):
    body = api_as(world.users["manager"]).get("/api/v1/dashboard/").json()
    totals = body["totals"]
    assert totals["accounts"] == 2 and totals["arr"] == "240000.00" and totals["arr_at_risk"] == "120000.00"
    assert {c["color"]: c["count"] for c in totals["colors"]} == {"red": 0, "yellow": 1, "green": 1, "none": 0}
    assert [r["key"] for r in body["by_region"]] == ["EMEA"]


def _ids(client, query=""):
    return [a["id"] for a in client.get(f"/api/v1/accounts/?{query}").json()["results"]]


def test_account_filters(world, api_as, fixed_today, other_tam):
    AccountFactory(
        external_id="COM-1",
        segment=Segment.COMMERCIAL,
        region=Region.APAC,
        tam=None,
        renewal_date=fixed_today + dt.timedelta(days=20),
    )
    client = api_as(world.users["tam"])
    assert _ids(client) == ["COM-1", "OTHER-1", "OWN-1"]
    assert _ids(client, "segment=commercial") == ["COM-1"]
    assert _ids(client, "region=EMEA") == ["OTHER-1", "OWN-1"]
    assert _ids(client, "tam=other-tam") == ["OTHER-1"]
    assert _ids(client, "tam=none") == ["COM-1"]
    assert _ids(client, "color=yellow") == ["OTHER-1"]
    assert _ids(client, "color=none") == ["COM-1"]
    assert _ids(client, "stale=true") == ["COM-1"]
    assert _ids(client, "stale=false") == ["OTHER-1", "OWN-1"]
    assert _ids(client, "renewal_within_days=30") == ["COM-1"]
    assert _ids(client, "renewal_within_days=10") == []


def test_bad_filters_are_400_with_every_problem(world, api_as):
    response = api_as(world.users["tam"]).get("/api/v1/accounts/?color=blue&renewal_within_days=-1")
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"color", "renewal_within_days"}


def test_cursor_pages_go_through_every_account_once(world, api_as, django_assert_max_num_queries):
    for i in range(5):
        AccountFactory(external_id=f"P-{i}")
    client = api_as(world.users["tam"])
    seen, url = [], "/api/v1/accounts/?page_size=3"
    while url:
        with django_assert_max_num_queries(6):  # token, its touch, roles, the page: never per row
            body = client.get(url).json()
        seen += [a["id"] for a in body["results"]]
        url = body["next"]
    assert sorted(seen) == seen and len(seen) == len(set(seen)) == 7
    assert client.get("/api/v1/accounts/?cursor=garbage").status_code == 404


# --- Writes --------------------------------------------------------------------------------


def test_a_sentiment_is_rescored_in_the_same_request(world, api_as, fixed_today):
    response = api_as(world.users["tam"]).post(
        "/api/v1/accounts/OWN-1/sentiment/", {"color": "red", "reason": "Champion left"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["account"]["health_color"] == "red" and body["scorecard"]["color"] == "red"
    world.own.refresh_from_db()
    assert world.own.health_color == Color.RED and world.own.health_date == fixed_today
    assert world.own.sentiments.latest("pk").author == world.users["tam"]


def test_a_color_change_without_a_reason_is_400_and_saves_nothing(world, api_as):
    before = SentimentEntry.objects.count()
    response = api_as(world.users["tam"]).post("/api/v1/accounts/OWN-1/sentiment/", {"color": "red"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "reason", "message": "Say why the sentiment changes."}]
    assert SentimentEntry.objects.count() == before


BULK = {
    "accounts": [{"id": "B-1", "name": "Bulk Co", "segment": "enterprise", "arr": 50000, "region": "EMEA"}],
    "meetings": [{"id": "BM-1", "account": "B-1", "date": "2026-11-20"}],
    "tickets": [{"id": "BT-1", "account": "B-1", "opened": "2026-11-21"}],
    "success_plans": [{"id": "BP-1", "account": "B-1", "status": "active"}],
}


def test_bulk_upsert_writes_rescores_and_the_same_payload_twice_changes_nothing(world, api_as):
    client = api_as(world.users["admin"])
    first = client.post("/api/v1/bulk/", BULK, format="json")
    assert first.status_code == 200
    assert first.json() == {
        "rows": 4,
        "created": {
            "accounts": 1,
            "meetings": 1,
            "tickets": 1,
            "success_plans": 1,
            "sentiments": 0,
            "feature_requests": 0,
            "champion_changes": 0,
            "renewal_outcomes": 0,
        },
    }
    account = Account.objects.get(external_id="B-1")
    assert account.scored_on is not None  # rescored before the answer, not at night
    state = (
        list(Account.objects.values()),
        list(Meeting.objects.order_by("pk").values()),
        list(HealthSnapshot.objects.order_by("pk").values("account", "date", "score", "color", "measures")),
    )
    second = client.post("/api/v1/bulk/", BULK, format="json")
    assert second.status_code == 200 and not any(second.json()["created"].values())
    strip = [{k: v for k, v in row.items() if k != "updated_at"} for row in state[0]]
    assert [{k: v for k, v in row.items() if k != "updated_at"} for row in Account.objects.values()] == strip
    assert list(Meeting.objects.order_by("pk").values()) == state[1]
    assert (
        list(HealthSnapshot.objects.order_by("pk").values("account", "date", "score", "color", "measures")) == state[2]
    )


def test_a_bad_row_is_400_listing_every_problem_with_its_path_and_writes_nothing(world, api_as):
    doc = json.loads(json.dumps(BULK))
    doc["accounts"][0]["arr"] = -1
    doc["meetings"][0]["date"] = "20/11/2026"
    doc["tickets"].append({"id": "BT-2", "account": "NOPE", "opened": "2026-11-21"})
    doc["unknown"] = []
    response = api_as(world.users["admin"]).post("/api/v1/bulk/", doc, format="json")
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {
        "unknown",
        "accounts[0].arr",
        "meetings[0].date",
        "tickets[1].account",
    }
    assert not Account.objects.filter(external_id="B-1").exists()


@pytest.mark.parametrize("body", ["[]", "not json", '{"accounts": "x"}', '{"sentiments": [{"reason": "a\\u0000b"}]}'])
def test_malformed_bulk_bodies_are_400(world, api_as, body):
    response = api_as(world.users["admin"]).post("/api/v1/bulk/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]


# --- Meeting notes are never served ----------------------------------------------------------


def test_no_endpoint_serves_meeting_notes_or_meeting_summaries(world, api_as):
    from notes.tests.factories import NoteEntryFactory

    secret = "SECRET-NOTE-TEXT"
    NoteEntryFactory(account=world.other, product_feedback=secret, questions_answers=secret)
    Meeting.objects.filter(account=world.other).update(summary=secret, attendees=secret)
    client = api_as(world.users["admin"])
    paths = ["/api/v1/accounts/", *_reads("OTHER-1"), "/api/v1/dashboard/", "/api/schema/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200 and secret not in response.content.decode(), path


def test_bulk_upsert_takes_renewal_dates_and_refuses_a_bad_one(world, api_as):
    client = api_as(world.users["admin"])
    account = {"id": "RN-1", "name": "Renews", "segment": "enterprise", "arr": 1000, "region": "EMEA"}
    ok = client.post("/api/v1/bulk/", {"accounts": [{**account, "renewal_date": "2027-03-31"}]}, format="json")
    assert ok.status_code == 200
    assert Account.objects.get(external_id="RN-1").renewal_date == dt.date(2027, 3, 31)
    assert client.get("/api/v1/accounts/RN-1/").json()["renewal_date"] == "2027-03-31"
    bad = client.post("/api/v1/bulk/", {"accounts": [{**account, "renewal_date": "31/03/2027"}]}, format="json")
    assert bad.status_code == 400
    assert [e["path"] for e in bad.json()["errors"]] == ["accounts[0].renewal_date"]
    assert Account.objects.get(external_id="RN-1").renewal_date == dt.date(2027, 3, 31)


def test_an_account_carries_its_confidence(world, api_as):
    Account.objects.filter(pk=world.own.pk).update(health_confidence=40)
    client = api_as(world.users["tam"])
    assert client.get("/api/v1/accounts/OWN-1/").json()["confidence"] == 40
    Account.objects.filter(pk=world.own.pk).update(health_score=None, health_color=None, health_confidence=None)
    listed = {a["id"]: a for a in client.get("/api/v1/accounts/").json()["results"]}
    assert listed["OWN-1"]["confidence"] is None


# --- A lone UTF-16 surrogate is a 400 with its place, not a 500 from the driver ----------------


@pytest.mark.parametrize(
    "path,body,place",
    [
        ("/api/v1/bulk/", '{"accounts": [{"id": "S-1", "name": "Acme \\ud800"}]}', "accounts[0].name"),
        ("/api/v1/bulk/", '{"accounts": [{"id": "S-1", "\\uDFFF": 1}]}', "accounts[0]: a key"),
        ("/api/v1/accounts/OTHER-1/sentiment/", '{"color": "red", "reason": "left \\udc00"}', "reason"),
    ],
)
def test_a_lone_surrogate_is_400_with_its_place_and_nothing_written(world, api_as, path, body, place):
    sentiments = SentimentEntry.objects.count()
    response = api_as(world.users["admin"]).post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "(body)", "message": f"{place}: holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"}
    ]
    assert SentimentEntry.objects.count() == sentiments and not Account.objects.filter(external_id="S-1").exists()


def test_a_valid_escaped_pair_is_text(world, api_as):
    response = api_as(world.users["admin"]).post(
        "/api/v1/accounts/OTHER-1/sentiment/",
        '{"color": "red", "reason": "\\ud83d\\ude00 left"}',
        content_type="application/json",
    )
    assert response.status_code == 201
    assert world.other.sentiments.latest("pk").reason == "\U0001f600 left"
