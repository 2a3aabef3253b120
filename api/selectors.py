"""Reads for the API: the tokens a user holds, the token a key names, the filtered account list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.models import Account
from accounts.scoring import staleness
from api.models import ApiToken
from api.services import KEY_PREFIX, key_hash
from healthscore import clock

UNSCORED = "none"  # the color filter's value for accounts without a color yet


def tokens_of(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_for_key(key: str) -> ApiToken | None:
    """The live token (not revoked, not expired) a key names, or None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key), revoked_at__isnull=True).first()
    if token is None or (token.expires_on is not None and token.expires_on < clock.today()):
        return None
    return token


def accounts_filtered(
    *,
    today: dt.date,
    segment: str | None = None,
    region: str | None = None,
    tam: str | None = None,
    color: str | None = None,
    stale: bool | None = None,
    renewal_within_days: int | None = None,
) -> QuerySet[Account]:
    """Accounts for the API's list, filtered; `tam` is a username, or "none" for no TAM."""
    qs = Account.objects.select_related("tam")
    if segment:
        qs = qs.filter(segment=segment)
    if region:
        qs = qs.filter(region=region)
    if tam:
        qs = qs.filter(tam__isnull=True) if tam == UNSCORED else qs.filter(tam__username=tam)
    if color:
        qs = qs.filter(health_color__isnull=True) if color == UNSCORED else qs.filter(health_color=color)
    if stale is not None:
        qs = qs.filter(staleness.stale_q(today)) if stale else qs.exclude(staleness.stale_q(today))
    if renewal_within_days is not None:
        qs = qs.filter(Q(renewal_date__gte=today) & Q(renewal_date__lte=today + dt.timedelta(days=renewal_within_days)))
    return qs
