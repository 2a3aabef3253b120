"""The triage app's jobs, by concern: the triage pass (triage_run.py) and the out-of-date
health and cadence CTAs (ctas.py). The daily pipeline (healthscore.pipeline) runs them; the
outbox (accounts.events) runs the triage pass on each account whose color changed.

Every job is idempotent and safe to run twice or twice at once: rows are created with
bulk_create(ignore_conflicts=True) against unique constraints (one open triage per account,
one open CTA per account and kind, one CTA per account, kind and situation), and state moves
with conditional updates. A job killed half-way leaves committed chunks behind; the next run
completes the rest.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Account
from triage.models import ACTIVE_CTA_STATES, Cta, CtaState

# Accounts handled per transaction: bounds memory and lock time; a fixed number of queries each.
CHUNK = 2000


def chunks(accounts: QuerySet[Account]):
    """The queryset in primary-key order, CHUNK rows at a time."""
    last_pk = 0
    while True:
        chunk = list(accounts.filter(pk__gt=last_pk).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1].pk
        if len(chunk) < CHUNK:
            return


def resolve(ctas: QuerySet[Cta], *, note: str, on: dt.date) -> int:
    """Close CTAs that no longer apply (done, by the app)."""
    return ctas.filter(state__in=ACTIVE_CTA_STATES).update(
        state=CtaState.DONE, snoozed_until=None, resolved_on=on, resolved_by=None, resolution=note
    )
