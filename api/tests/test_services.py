import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from api import selectors, services
from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_token_stores_only_the_hash_of_its_key(tam):
    token, key = services.token_create(user=tam, name="CRM sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith("hs_") and len(key) > 40
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == services.key_hash(key)
    assert stored.prefix == key[:10]


def test_the_key_finds_its_token_until_revoked(tam):
    token, key = services.token_create(user=tam, name="CRM sync")
    assert selectors.token_for_key(key) == token
    services.token_revoke(token=token)
    assert selectors.token_for_key(key) is None


def test_revoking_twice_keeps_the_first_time(tam):
    token, _ = services.token_create(user=tam, name="x")
    services.token_revoke(token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    services.token_revoke(token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_a_token_works_on_its_expiry_day_and_not_after(tam, fixed_today, monkeypatch):
    from healthscore import clock

    token, key = services.token_create(user=tam, name="x", expires_on=fixed_today)
    assert selectors.token_for_key(key) == token
    monkeypatch.setattr(clock, "today", lambda: fixed_today + dt.timedelta(days=1))
    assert selectors.token_for_key(key) is None


def test_an_expiry_in_the_past_is_refused(tam, fixed_today):
    with pytest.raises(ValidationError, match="past"):
        services.token_create(user=tam, name="x", expires_on=fixed_today - dt.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_a_name_is_required(tam):
    with pytest.raises(ValidationError):
        services.token_create(user=tam, name="  ")


@pytest.mark.parametrize("key", ["", "hs_", "nope", "hs_" + "x" * 200, "Bearer"])
def test_unknown_keys_find_nothing(tam, key):
    services.token_create(user=tam, name="x")
    assert selectors.token_for_key(key) is None


def test_last_used_is_written_at_most_once_a_minute(tam, django_assert_num_queries):
    token, _ = services.token_create(user=tam, name="x")
    with django_assert_num_queries(1):
        services.token_touch(token=token)
    first = token.last_used_at
    with django_assert_num_queries(0):
        services.token_touch(token=token)
    token.last_used_at = timezone.now() - dt.timedelta(minutes=2)
    with django_assert_num_queries(1):
        services.token_touch(token=token)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
