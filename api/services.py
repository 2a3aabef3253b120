"""Writes for the API app: personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from healthscore import clock

KEY_PREFIX = "hs_"
SHOWN_PREFIX_LENGTH = 10
# last_used_at is written at most once a minute per token: a busy token is not a write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def key_hash(key: str) -> str:
    """The stored form of a key. The key is 256 random bits, so a fast hash is enough: there is
    nothing to guess, unlike a password."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is never stored and cannot be shown again."""
    if expires_on is not None and expires_on < clock.today():
        raise ValidationError({"expires_on": "The expiry date is in the past."})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip(), prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=key_hash(key), expires_on=expires_on
    )
    token.full_clean()
    token.save()
    return token, key


def token_revoke(*, token: ApiToken) -> None:
    """Revoke a token at once; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_touch(*, token: ApiToken) -> None:
    """Record that the token was used (at most one write a minute: a conditional update)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
