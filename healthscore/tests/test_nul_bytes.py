"""A NUL byte anywhere a user can put one is a 404 or a form error, never a 500.

PostgreSQL refuses NUL in a string literal, so a NUL reaching a query is a 500 there while SQLite
shrugs; run this on PostgreSQL too (CI does). Every URL of the access matrix gets a NUL in each
path segment and in its query string, and every posted field of its rule gets one.
"""

from urllib.parse import quote

import pytest

from healthscore.tests.access import FORBIDDEN, LOGIN, NOT_FOUND
from healthscore.tests.test_access_matrix import RULES, world  # noqa: F401 (the fixture)

QUERY_NAMES = ["q", "tam", "region", "segment", "color", "page", "stale", "sort", "next", "as_of", "status", "kind"]
NUL = "\x00"


def _user_for(rule, w, manager, admin_user):
    """Someone the rule lets through, so the request reaches the view and its form."""
    for role, user in (("tam", w.tam), ("manager", manager), ("admin", admin_user)):
        if getattr(rule, role) not in (LOGIN, FORBIDDEN, NOT_FOUND):
            return user
    return admin_user


def _path_variants(path):
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment:
            yield "/".join([*segments[:i], segment + quote(NUL), *segments[i + 1 :]])
    yield path.rstrip("/") + "/" + quote(NUL) + "/"


def _assert_not_a_server_error(response, what):
    assert response.status_code < 500, (what, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_a_nul_in_a_url_or_a_query_string_is_not_a_server_error(client, world, manager, admin_user, rule):  # noqa: F811
    client.force_login(_user_for(rule, world, manager, admin_user))
    path = rule.url(world)
    data = rule.data(world) if rule.data else {}
    send = getattr(client, rule.method)
    for variant in _path_variants(path.split("?")[0]):
        response = send(variant, data, **rule.extra)
        assert response.status_code == 404, (variant, response.status_code)
    for name in QUERY_NAMES:
        response = send(f"{path.split('?')[0]}?{name}={quote(NUL)}", data, **rule.extra)
        assert response.status_code == 404, (name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", [r for r in RULES if r.data], ids=[r.name for r in RULES if r.data])
def test_a_nul_in_any_posted_field_is_a_form_error_and_changes_nothing(client, world, manager, admin_user, rule):  # noqa: F811
    client.force_login(_user_for(rule, world, manager, admin_user))
    url = rule.url(world)
    data = rule.data(world)
    for field in data:
        for value in (NUL, f"{data[field]}{NUL}" if isinstance(data[field], str) else NUL):
            before = rule.unchanged(world) if rule.unchanged else None
            response = getattr(client, rule.method)(url, {**data, field: value}, **rule.extra)
            _assert_not_a_server_error(response, (url, field))
            if rule.unchanged:
                assert rule.unchanged(world) == before, (url, field, "a NUL was saved")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["username", "password"])
def test_a_nul_in_the_login_form_is_a_form_error(client, field):
    data = {"username": "someone", "password": "a-long-enough-secret", field: f"x{NUL}"}
    for url in ("/login/", "/admin/login/"):
        response = client.post(url, data)
        assert response.status_code == 200


@pytest.mark.django_db
def test_a_nul_in_an_admin_search_is_a_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/account/?q={quote(NUL)}").status_code == 404
