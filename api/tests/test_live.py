"""The API end to end over real HTTP: a live server and `requests`, as a script would use it."""

import re

import pytest
import requests
from django.contrib.auth.models import Group

from accounts.models import Account, Color
from accounts.tests.factories import UserFactory, healthy_account
from api import services
from healthscore import permissions

# The live server needs real commits: transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)


def _user(username, role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == permissions.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    return user


def test_a_script_reads_pages_sets_a_sentiment_and_imports_over_http(live_server, fixed_today):
    tam, admin = _user("ana", permissions.TAM), _user("root", permissions.ADMIN)
    for i in range(3):
        healthy_account(today=fixed_today, external_id=f"LIVE-{i}", tam=tam, sentiment=Color.GREEN)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {services.token_create(user=tam, name='e2e')[1]}"
    base = f"{live_server.url}/api/v1"

    # Every account, two to a page, by following `next`.
    seen, url = [], f"{base}/accounts/?page_size=2"
    while url:
        response = api.get(url, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
        seen += [a["id"] for a in response.json()["results"]]
        url = response.json()["next"]
    assert seen == ["LIVE-0", "LIVE-1", "LIVE-2"]

    response = api.post(f"{base}/accounts/LIVE-1/sentiment/", json={"color": "red", "reason": "Exec sponsor left"})
    assert response.status_code == 201 and response.json()["account"]["health_color"] == "red"
    assert api.get(f"{base}/accounts/LIVE-1/scorecard/", timeout=10).json()["color"] == "red"
    assert Account.objects.get(external_id="LIVE-1").health_color == Color.RED

    # The TAM may not import; an admin may, and the same payload twice changes nothing.
    payload = {"tickets": [{"id": "ZD-9", "account": "LIVE-0", "opened": "2026-11-20"}]}
    assert api.post(f"{base}/bulk/", json=payload, timeout=10).status_code == 403
    api.headers["Authorization"] = f"Bearer {services.token_create(user=admin, name='e2e')[1]}"
    first = api.post(f"{base}/bulk/", json=payload, timeout=10).json()
    second = api.post(f"{base}/bulk/", json=payload, timeout=10).json()
    assert first["created"]["tickets"] == 1 and second["created"]["tickets"] == 0

    # No token: 401 with the scheme to use.
    anonymous = requests.get(f"{base}/accounts/", timeout=10)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == "Bearer"


def test_the_schema_and_its_viewers_are_served_locally(live_server):
    schema = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=10)
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    for page in ("/api/docs/", "/api/redoc/"):
        html = requests.get(f"{live_server.url}{page}", timeout=10).text
        scripts = re.findall(r'src="([^"]+\.js)"', html)
        assert scripts and all(src.startswith("/static/") for src in scripts), scripts
        for src in scripts:
            assert requests.get(f"{live_server.url}{src}", timeout=10).status_code == 200
