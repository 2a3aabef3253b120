"""The triage pass: red opens a triage record, yellow asks to decide, green again asks to close;
CTAs that no longer apply close themselves and open records follow their account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import mirrors
from accounts.models import Account, Color, HealthChange
from accounts.scoring import rules
from healthscore.pipeline import Progress
from triage import selectors
from triage.jobs import chunks, resolve
from triage.models import (
    ACTIVE_CTA_STATES,
    COLOR_FOR_RISK,
    RISK_FOR_COLOR,
    Cta,
    CtaKind,
    CtaState,
    Risk,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdate,
    TriageUpdateKind,
    region_label_for,
)


@dataclass
class TriageRunResult:
    accounts: int = 0
    triage_opened: int = 0
    ctas_opened: int = 0
    ctas_resolved: int = 0
    risks_synced: int = 0

    def __str__(self) -> str:
        return (
            f"Triage: {self.accounts} accounts checked, {self.triage_opened} triage records opened, "
            f"{self.ctas_opened} CTAs opened, {self.ctas_resolved} CTAs closed, {self.risks_synced} risk labels synced."
        )


def triage_run(
    *, as_of: dt.date, accounts: QuerySet[Account] | None = None, progress: Progress = None
) -> TriageRunResult:
    """The triage job, on the accounts' current health.

    Red: a triage record opens automatically, unless one is open or the TAM closed one during
    this red spell. Yellow without an open triage: a "Decide on triage" CTA. Green with an open
    triage: a "Close triage?" CTA. CTAs that no longer apply close themselves, snoozed CTAs
    whose date has come are open again, and open records' labels follow the account.
    """
    base = accounts if accounts is not None else Account.objects.all()
    result = TriageRunResult()
    Cta.objects.filter(account__in=base, state=CtaState.SNOOZED, snoozed_until__lte=as_of).update(
        state=CtaState.OPEN, snoozed_until=None
    )
    their_records = TriageRecord.objects.filter(account__in=base)
    their_ctas = Cta.objects.filter(account__in=base)
    records_before, ctas_before = their_records.count(), their_ctas.count()
    scored = selectors.accounts_for_triage(base.filter(health_color__isnull=False))
    touched: set[int] = set()  # accounts whose records were opened or relabelled: mirrors follow
    for chunk in chunks(scored):
        records, ctas = [], []
        for account in chunk:
            records += _automatic_triage(account, as_of)
            ctas += _triage_ctas(account, as_of)
        with transaction.atomic():
            TriageRecord.objects.bulk_create(records, ignore_conflicts=True)
            Cta.objects.bulk_create(ctas, ignore_conflicts=True)
            mirrors.triage_records_changed(account_ids={record.account_id for record in records})
        result.accounts += len(chunk)
        if progress:
            progress(len(chunk))
    result.triage_opened = their_records.count() - records_before
    result.ctas_opened = their_ctas.count() - ctas_before

    active = Cta.objects.filter(account__in=base, state__in=ACTIVE_CTA_STATES)
    decide, close = active.filter(kind=CtaKind.DECIDE_TRIAGE), active.filter(kind=CtaKind.CLOSE_TRIAGE)
    result.ctas_resolved += resolve(
        decide.filter(account__triage_records__status=TriageStatus.OPEN), note="A triage record is open", on=as_of
    )
    result.ctas_resolved += resolve(
        decide.exclude(account__health_color=Color.YELLOW), note="Health is no longer yellow", on=as_of
    )
    result.ctas_resolved += resolve(
        close.exclude(triage__status=TriageStatus.OPEN), note="The triage record is closed", on=as_of
    )
    result.ctas_resolved += resolve(
        close.exclude(account__health_color=Color.GREEN), note="Health is no longer green", on=as_of
    )
    result.risks_synced = _sync_open_records(base, touched)
    mirrors.triage_records_changed(account_ids=touched)
    return result


def _automatic_triage(account: Account, as_of: dt.date) -> list[TriageRecord]:
    if account.health_color != Color.RED or account.open_triage_id is not None:
        return []
    since = account.color_since or dt.date.min
    if account.last_red_closed_on is not None and account.last_red_closed_on >= since:
        return []  # the TAM closed a triage during this red spell: respect it
    return [
        TriageRecord(
            account=account,
            status=TriageStatus.OPEN,
            origin=TriageOrigin.AUTOMATIC,
            risk=Risk.RED,
            region=region_label_for(segment=account.segment, region=account.region),
            owner_id=account.tam_id,
            opened_on=as_of,
        )
    ]


def _triage_ctas(account: Account, as_of: dt.date) -> list[Cta]:
    if account.tam_id is None or account.color_since is None:
        return []
    since = account.color_since.isoformat()
    if account.health_color == Color.YELLOW and account.open_triage_id is None:
        return [
            Cta(
                account=account,
                kind=CtaKind.DECIDE_TRIAGE,
                key=since,
                detail=f"Health is yellow since {since}: open a triage record, or dismiss with a reason.",
                opened_on=as_of,
            )
        ]
    if account.health_color == Color.GREEN and account.open_triage_id is not None:
        return [
            Cta(
                account=account,
                kind=CtaKind.CLOSE_TRIAGE,
                key=f"{account.open_triage_id}:{since}",
                triage_id=account.open_triage_id,
                detail=f"Health is green again since {since}: close the triage record if the risks are addressed.",
                opened_on=as_of,
            )
        ]
    return []


def _sync_open_records(accounts: QuerySet[Account], touched: set[int]) -> int:
    """Open records follow their account: risk label = current health, region label, owner = TAM.
    The accounts whose records changed are added to `touched`.

    Conditional updates: when two runs meet, one of them writes (and logs) each change.
    """
    changed = 0
    records = TriageRecord.objects.filter(account__in=accounts, status=TriageStatus.OPEN).select_related("account")
    for record in records:
        account = record.account
        risk = RISK_FOR_COLOR.get(account.health_color, record.risk)
        region = region_label_for(segment=account.segment, region=account.region)
        if (risk, region, account.tam_id) == (record.risk, record.region, record.owner_id):
            continue
        updated = TriageRecord.objects.filter(
            pk=record.pk, status=TriageStatus.OPEN, risk=record.risk, region=record.region, owner_id=record.owner_id
        ).update(risk=risk, region=region, owner_id=account.tam_id, updated_at=timezone.now())
        if updated and risk != record.risk:
            TriageUpdate.objects.create(
                triage=record,
                kind=TriageUpdateKind.RISK,
                text=f"Risk {record.risk} → {risk}: the account's health is now "
                f"{rules.color_words(COLOR_FOR_RISK[risk])}.",
            )
        changed += updated
        if updated:
            touched.add(account.pk)
    return changed


def triage_for_changes(changes: list[HealthChange], *, today: dt.date) -> None:
    """Consumer of accounts.events, inside the changes' transaction: one triage pass over the
    accounts whose color changed, at once rather than at the next daily run."""
    triage_run(as_of=today, accounts=Account.objects.filter(pk__in={change.account_id for change in changes}))


def triage_total(as_of: dt.date) -> int:
    """The daily "Triage" step's progress bar: every scored account."""
    return Account.objects.filter(health_color__isnull=False).count()
