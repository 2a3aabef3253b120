"""Demo data of the triage app, called by seed_demo after the accounts are scored and the
notifications demo drained the outbox: the triage jobs on the demo accounts, and a little
history so every page has something on it. Deterministic for a given rng."""

import datetime as dt
import random

from django.contrib.auth.models import User

from accounts.models import Account, Color
from triage import services
from triage.jobs import ctas, triage_run
from triage.models import (
    Classification,
    Cta,
    CtaKind,
    CtaState,
    RiskReason,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
)

PLANS = [
    "Weekly check-ins with the platform lead until the runner issue is fixed; EBR with the new sponsor in January.",
    "Enablement sessions for the two stalled teams; agree adoption targets in the success plan.",
    "Bring in the SA for an architecture review; escalate the open support tickets with Support leadership.",
]


def seed(*, today: dt.date, rng: random.Random) -> None:
    """The triage jobs as of today, and a few worked triage records and CTAs (the notifications
    demo drained the outbox before)."""
    triage_run.triage_run(as_of=today)
    ctas.ctas_health_open(as_of=today)
    ctas.ctas_cadence_open(as_of=today)
    ctas.ctas_override_open(as_of=today)

    # Some triage records the TAMs have worked on: plans, labels, updates.
    open_records = list(TriageRecord.objects.filter(status=TriageStatus.OPEN).select_related("account__tam"))
    for record, plan in zip(rng.sample(open_records, min(3, len(open_records))), PLANS, strict=False):
        tam = record.account.tam
        services.triage_edit(
            triage=record,
            by=tam,
            classification=rng.choice(Classification.values),
            risk_reasons=rng.sample(RiskReason.values, 2),
            plan=plan,
        )
        services.triage_note_add(
            triage=record, by=tam, text="Met the account team; plan agreed, next review in two weeks."
        )

    # A green account whose triage is still open (a "Close triage?" CTA), and one closed record.
    greens = list(Account.objects.filter(health_color=Color.GREEN, tam__isnull=False).order_by("pk")[:40])
    if len(greens) >= 2:
        still_open, closed = rng.sample(greens, 2)
        services.triage_open(
            account=still_open, by=still_open.tam, origin=TriageOrigin.MANUAL, today=today - dt.timedelta(days=40)
        )
        record = services.triage_open(
            account=closed, by=closed.tam, origin=TriageOrigin.MANUAL, today=today - dt.timedelta(days=75)
        )
        services.triage_close(
            triage=record,
            by=closed.tam,
            classification=Classification.UNEXPECTED_AVOIDABLE,
            risk_reasons=[RiskReason.PRODUCT_EXPERIENCE],
            resolution="Upgrade to 17.x fixed the pipeline slowness; sponsor confirmed on the EBR.",
            today=today - dt.timedelta(days=20),
        )
        triage_run.triage_run(as_of=today, accounts=Account.objects.filter(pk=still_open.pk))

    # Every state in each TAM's cockpit: a dismissed decision, a snoozed and a done CTA.
    open_ctas = Cta.objects.filter(state=CtaState.OPEN).select_related("account__tam").order_by("pk")
    for tam in User.objects.filter(tam_accounts__isnull=False).distinct().order_by("pk"):
        mine = open_ctas.filter(account__tam=tam)
        decide = list(mine.filter(kind=CtaKind.DECIDE_TRIAGE)[:5])
        if decide:
            services.cta_dismiss(
                cta=rng.choice(decide),
                by=tam,
                reason="Known runner bug, the fix ships next release; no wider risk.",
                today=today,
            )
        cadence = list(mine.filter(kind=CtaKind.MISSED_CADENCE)[:5])
        if cadence:
            services.cta_snooze(cta=rng.choice(cadence), by=tam, until=today + dt.timedelta(days=7), today=today)
        stale = list(mine.filter(kind=CtaKind.UPDATE_HEALTH)[:5])
        if stale:
            services.cta_done(cta=rng.choice(stale), by=tam, today=today)
