import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from api import services


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The throttle counts in the cache: each test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_role(db) -> User:
    return UserFactory(username="nobody")


@pytest.fixture
def key_for(db):
    """key_for(user, **fields): a new personal token's key."""

    def make(user, name="script", **fields) -> str:
        return services.token_create(user=user, name=name, **fields)[1]

    return make


@pytest.fixture
def api_as(key_for):
    """api_as(user): an API client sending that user's token (None: anonymous)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(user)}")
        return client

    return make
