"""Writes for the triage app behind people's actions: triage records and CTAs.

The beat jobs' writes live in the triage/jobs/ package. Views check permissions; these functions check
that the action makes sense now (an open record, an open CTA) and raise ValidationError with
field names the forms show.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import mirrors
from accounts.models import Account
from healthscore import clock
from triage.models import (
    ACTIVE_CTA_STATES,
    RISK_FOR_COLOR,
    Classification,
    Cta,
    CtaKind,
    CtaState,
    RiskReason,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdate,
    TriageUpdateKind,
    region_label_for,
)

ALREADY_OPEN = "This account already has an open triage record."


def _risk_reasons_clean(values) -> list[str]:
    """Known risk reasons, each once, in the handbook's order."""
    chosen = set(values or [])
    unknown = chosen - set(RiskReason.values)
    if unknown:
        raise ValidationError({"risk_reasons": f"Unknown risk reason(s): {', '.join(sorted(unknown))}."})
    return [value for value in RiskReason.values if value in chosen]


def _classification_clean(value: str) -> str:
    if value and value not in Classification.values:
        raise ValidationError({"classification": f"Unknown classification: {value}."})
    return value or ""


# --- Triage records -----------------------------------------------------------------------


@transaction.atomic
def triage_open(
    *, account: Account, by: User | None, origin: str = TriageOrigin.MANUAL, today: dt.date | None = None
) -> TriageRecord:
    """Open a triage record on an account, labelled from its current health (one open per account)."""
    today = today or clock.today()
    if account.health_color not in RISK_FOR_COLOR:
        raise ValidationError("This account has no health score yet: set the TAM sentiment first.")
    if TriageRecord.objects.filter(account=account, status=TriageStatus.OPEN).exists():
        raise ValidationError(ALREADY_OPEN)
    record = TriageRecord(
        account=account,
        status=TriageStatus.OPEN,
        origin=origin,
        risk=RISK_FOR_COLOR[account.health_color],
        region=region_label_for(segment=account.segment, region=account.region),
        owner_id=account.tam_id,
        opened_on=today,
        opened_by=by,
    )
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Opened at the same moment by the triage job or another click.
        raise ValidationError(ALREADY_OPEN) from None
    mirrors.triage_records_changed(account_ids=[account.pk])
    _decided_by_triage(Cta.objects.filter(account=account, kind=CtaKind.DECIDE_TRIAGE), record, today=today, by=by)
    return record


def _decided_by_triage(ctas, record: TriageRecord, *, today: dt.date, by: User | None) -> None:
    """The active "Decide on triage" CTAs among `ctas` are done: a triage record was opened."""
    ctas.filter(state__in=ACTIVE_CTA_STATES).update(
        state=CtaState.DONE,
        snoozed_until=None,
        triage=record,
        resolved_on=today,
        resolved_by=by,
        resolution="Triage opened",
    )


def _locked_open(triage: TriageRecord) -> TriageRecord:
    record = TriageRecord.objects.select_for_update().get(pk=triage.pk)
    if record.status != TriageStatus.OPEN:
        raise ValidationError("This triage record is closed.")
    return record


@transaction.atomic
def triage_edit(
    *, triage: TriageRecord, by: User, classification: str, risk_reasons: list[str], plan: str
) -> TriageRecord:
    """Change an open record's classification, risk reasons and plan; the log says what changed."""
    record = _locked_open(triage)
    classification = _classification_clean(classification)
    reasons = _risk_reasons_clean(risk_reasons)
    plan = plan.strip()
    changes = []
    if classification != record.classification:
        changes.append(f"classification {record.classification or 'none'} → {classification or 'none'}")
    if reasons != record.risk_reasons:
        changes.append(f"risk reasons: {', '.join(reasons) or 'none'}")
    if plan != record.plan:
        changes.append("plan updated")
    if not changes:
        return record
    record.classification, record.risk_reasons, record.plan = classification, reasons, plan
    record.full_clean()
    record.save()
    text = "; ".join(changes)
    TriageUpdate.objects.create(triage=record, kind=TriageUpdateKind.EDIT, author=by, text=text[0].upper() + text[1:])
    mirrors.triage_records_changed(account_ids=[record.account_id])
    return record


@transaction.atomic
def triage_note_add(*, triage: TriageRecord, by: User, text: str) -> TriageUpdate:
    """Add an update to an open record's log."""
    record = _locked_open(triage)
    if not text.strip():
        raise ValidationError({"text": "Write the update."})
    update = TriageUpdate(triage=record, kind=TriageUpdateKind.NOTE, author=by, text=text.strip())
    update.full_clean()
    update.save()
    TriageRecord.objects.filter(pk=record.pk).update(updated_at=timezone.now())
    return update


@transaction.atomic
def triage_close(
    *,
    triage: TriageRecord,
    by: User,
    classification: str,
    risk_reasons: list[str],
    resolution: str,
    today: dt.date | None = None,
) -> TriageRecord:
    """Close a record: only with a classification, at least one risk reason and a resolution note."""
    today = today or clock.today()
    record = _locked_open(triage)
    errors = {}
    try:
        classification = _classification_clean(classification)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        reasons = _risk_reasons_clean(risk_reasons)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        reasons = []
    if not classification and "classification" not in errors:
        errors["classification"] = ["Choose a classification before closing."]
    if not reasons and "risk_reasons" not in errors:
        errors["risk_reasons"] = ["Choose at least one risk reason before closing."]
    if not resolution.strip():
        errors["resolution"] = ["Say how the risks were resolved."]
    if errors:
        raise ValidationError(errors)
    record.status = TriageStatus.CLOSED
    record.classification, record.risk_reasons, record.resolution = classification, reasons, resolution.strip()
    record.closed_on, record.closed_by = today, by
    record.full_clean()
    record.save()
    TriageUpdate.objects.create(
        triage=record, kind=TriageUpdateKind.CLOSED, author=by, text=f"Closed: {record.resolution}"
    )
    Cta.objects.filter(triage=record, kind=CtaKind.CLOSE_TRIAGE, state__in=ACTIVE_CTA_STATES).update(
        state=CtaState.DONE, snoozed_until=None, resolved_on=today, resolved_by=by, resolution="Triage closed"
    )
    mirrors.triage_records_changed(account_ids=[record.account_id])
    return record


# --- CTAs ---------------------------------------------------------------------------------


def _locked_active(cta: Cta) -> Cta:
    locked = Cta.objects.select_for_update().select_related("account").get(pk=cta.pk)
    if locked.state not in ACTIVE_CTA_STATES:
        raise ValidationError(f"This CTA is already {locked.get_state_display().lower()}.")
    return locked


@transaction.atomic
def cta_triage_open(*, cta: Cta, by: User, today: dt.date | None = None) -> TriageRecord:
    """One click on a "Decide on triage" CTA: open the triage record (or find the open one)."""
    today = today or clock.today()
    locked = _locked_active(cta)
    if locked.kind != CtaKind.DECIDE_TRIAGE:
        raise ValidationError("Only a Decide on triage CTA opens a triage record.")
    record = TriageRecord.objects.filter(account=locked.account, status=TriageStatus.OPEN).first()
    if record is None:
        record = triage_open(account=locked.account, by=by, origin=TriageOrigin.CTA, today=today)
    _decided_by_triage(Cta.objects.filter(pk=locked.pk), record, today=today, by=by)
    return record


@transaction.atomic
def cta_dismiss(*, cta: Cta, by: User, reason: str, today: dt.date | None = None) -> Cta:
    """The TAM decides no triage is needed, and says why."""
    locked = _locked_active(cta)
    if locked.kind != CtaKind.DECIDE_TRIAGE:
        raise ValidationError("Only a Decide on triage CTA is dismissed; mark this one done.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why no triage is needed."})
    locked.state, locked.snoozed_until = CtaState.DISMISSED, None
    locked.dismiss_reason = reason.strip()
    locked.resolved_on, locked.resolved_by = today or clock.today(), by
    locked.resolution = "Dismissed: no triage needed"
    locked.full_clean()
    locked.save()
    return locked


def _snooze_date_check(until: dt.date | None, today: dt.date) -> None:
    if until is None:
        raise ValidationError({"until": "Choose the date the CTA comes back."})
    if until <= today:
        raise ValidationError({"until": "Choose a date after today."})
    if until > today + dt.timedelta(days=365):
        raise ValidationError({"until": "Snooze for a year at most."})


@transaction.atomic
def cta_snooze(*, cta: Cta, by: User, until: dt.date | None, today: dt.date | None = None) -> Cta:
    """Hide a CTA until a later date; the daily job opens it again on that date."""
    today = today or clock.today()
    locked = _locked_active(cta)
    _snooze_date_check(until, today)
    locked.state, locked.snoozed_until = CtaState.SNOOZED, until
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def cta_done(*, cta: Cta, by: User, today: dt.date | None = None) -> Cta:
    """The TAM has dealt with the CTA. A "Decide on triage" CTA has exactly two outcomes, a
    triage record or a dismissal with a reason, so it cannot just be marked done."""
    locked = _locked_active(cta)
    if locked.kind == CtaKind.DECIDE_TRIAGE:
        raise ValidationError("Decide: open a triage record, or dismiss the CTA with a reason.")
    locked.state, locked.snoozed_until = CtaState.DONE, None
    locked.resolved_on, locked.resolved_by = today or clock.today(), by
    locked.resolution = "Marked done"
    locked.full_clean()
    locked.save()
    return locked


# --- Several CTAs at once -----------------------------------------------------------------


class BulkErrors(ValidationError):
    """Some of the chosen CTAs cannot take the action; nothing was changed. `by_cta` maps a
    CTA's id to what is wrong with it, so the cockpit shows each error on its card."""

    def __init__(self, by_cta: dict[int, str], names: dict[int, str]):
        self.by_cta = by_cta
        lines = [f"{names[pk]}: {message}" for pk, message in by_cta.items()]
        super().__init__(["Nothing was changed. " + " ".join(lines)])


def _bulk(ctas: list[Cta], action) -> list[Cta]:
    """Run `action` on every CTA in one transaction: all of them change, or none."""
    if not ctas:
        raise ValidationError("Choose at least one CTA.")
    errors, names = {}, {cta.pk: f"{cta.get_kind_display()} for {cta.account.name}" for cta in ctas}
    done = []
    with transaction.atomic():
        for cta in sorted(ctas, key=lambda c: c.pk):  # lock in one order: no deadlock with another bulk
            try:
                done.append(action(cta))
            except ValidationError as exc:
                errors[cta.pk] = " ".join(exc.messages)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise BulkErrors(errors, names)
    return done


def ctas_snooze(*, ctas: list[Cta], by: User, until: dt.date | None, today: dt.date | None = None) -> list[Cta]:
    """Snooze several CTAs until one date, all or none."""
    today = today or clock.today()
    _snooze_date_check(until, today)
    return _bulk(ctas, lambda cta: cta_snooze(cta=cta, by=by, until=until, today=today))


def ctas_done(*, ctas: list[Cta], by: User, today: dt.date | None = None) -> list[Cta]:
    """Mark several CTAs done, all or none ("Decide on triage" ones need a decision instead)."""
    return _bulk(ctas, lambda cta: cta_done(cta=cta, by=by, today=today))
