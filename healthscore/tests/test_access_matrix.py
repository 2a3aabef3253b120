"""Every URL, every role: anonymous -> login, wrong role -> 403, another TAM's account on a
write -> 403/404 with nothing changed, allowed -> 2xx/3xx. Fails when a URL has no rule."""

import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.tests.factories import AccountFactory, UserFactory
from healthscore.tests.access import LOGIN

APPS_WITH_RULES = [
    "healthscore",
    "accounts",
    "dashboard",
    "notifications",
    "triage",
    "notes",
    "api",
    "imports",
    "quality",
]
# URL namespaces that are not ours: Django admin guards itself (staff only).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"login", "logout"}


def all_rules():
    rules = []
    for app in APPS_WITH_RULES:
        try:
            module = importlib.import_module(f"{app}.tests.access")
        except ModuleNotFoundError:
            continue
        rules.extend(module.RULES)
    return rules


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from url_names(entry, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name not in SKIPPED_NAMES:
            # An unnamed pattern cannot have a rule: it shows up as such and fails the check.
            yield f"{namespace}{entry.name or f'<unnamed {entry.pattern}>'}"


RULES = all_rules()


def test_every_url_pattern_has_a_rule():
    covered = {rule.name for rule in RULES}
    missing = sorted(set(url_names()) - covered)
    assert not missing, f"URL patterns without an access rule: {missing}"


@dataclass
class World:
    tam: User
    own_account: object
    other_account: object


@pytest.fixture
def world(tam, other_tam):
    return World(tam=tam, own_account=AccountFactory(tam=tam), other_account=AccountFactory(tam=other_tam))


def _login(client, role, world, manager, admin_user):
    users = {"tam": world.tam, "manager": manager, "admin": admin_user, "no_role": UserFactory(username="nobody")}
    if role != "anonymous":
        client.force_login(users[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "no_role", "tam", "manager", "admin"])
@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_access(client, world, manager, admin_user, role, rule):
    _login(client, role, world, manager, admin_user)
    expected = getattr(rule, role)
    url = rule.url(world)
    before = rule.unchanged(world) if rule.unchanged else None
    data = rule.data(world) if rule.data else {}
    response = getattr(client, rule.method)(url, data, **rule.extra)
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith("/login/"), response
    elif expected == 302:
        assert response.status_code == 302
    elif isinstance(expected, tuple):
        assert response.status_code in expected
    else:
        assert response.status_code == expected, (rule.name, role, response.status_code)
    if rule.unchanged and (expected == LOGIN or (isinstance(expected, int) and expected >= 400)):
        assert rule.unchanged(world) == before, "a refused request changed data"
