"""When an account's health is stale (rules.health_is_stale), as query expressions: a filter for
the lists, the dashboard, the API and the out-of-date CTAs, a column for the lists and their
CSVs, and the form the database counts from the (segment, health_date) index."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import BooleanField, Case, Q, Value, When

from accounts.models import Account
from accounts.scoring import rules


def stale_q(today: dt.date, prefix: str = "") -> Q:
    """rules.health_is_stale as a filter on Account (prefix e.g. "account__" from a related model)."""
    # Per segment (no health date yet, or one before the segment's cut-off), so each part is a
    # range of the (segment, health_date) index.
    q = Q()
    for segment in rules.FRESH_MONTHS:
        q |= Q(**{f"{prefix}segment": segment}) & (
            Q(**{f"{prefix}health_date__isnull": True})
            | Q(**{f"{prefix}health_date__lt": rules.stale_before(segment, today)})
        )
    return q


def stale_flag(today: dt.date) -> Case:
    """stale_q as a column (True or False per account), for the lists and their CSVs."""
    return Case(When(stale_q(today), then=Value(True)), default=Value(False), output_field=BooleanField())


def stale_ids_q(today: dt.date) -> Q:
    """stale_q in the form the database serves from the (segment, health_date) index when it
    counts stale accounts among many. SQLite does not use the index for stale_q's OR of ANDs (it
    read every account: 130-200 ms at 100,000), but does for an OR of id lists, one per index
    range (its MULTI-INDEX OR: each list a range of the index, then a probe per stale account).
    PostgreSQL plans stale_q itself as a bitmap OR over the index ranges."""
    if connection.vendor != "sqlite":
        return stale_q(today)
    q = Q()
    for segment in rules.FRESH_MONTHS:
        for part in (Q(health_date__isnull=True), Q(health_date__lt=rules.stale_before(segment, today))):
            q |= Q(pk__in=Account.objects.filter(part, segment=segment).values("pk"))
    return q
