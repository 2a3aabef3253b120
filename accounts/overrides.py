"""Overrides of an account's overall color: set by a manager, or requested by the account's TAM
and approved by a manager; cancelled early or expired by date. Every write locks the account's
row and rescores it through the engine (the only writer of health), in one transaction, so the
color, the snapshot and the outbox change move together."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Color, HealthOverride, OverrideStatus
from accounts.scoring import rules
from accounts.scoring import services as scoring
from healthscore import audit, clock

OPEN_STATUSES = (OverrideStatus.PENDING, OverrideStatus.ACTIVE)
ALREADY_OPEN = "This account already has an override or a request open: approve, reject or cancel it first."


def override_current(account: Account, today: dt.date) -> HealthOverride | None:
    """The account's open request or override (an active one past its expiry is not open)."""
    return (
        HealthOverride.objects.filter(account=account, status__in=OPEN_STATUSES, expires_on__gte=today)
        .select_related("requested_by", "approved_by")
        .first()
    )


def overrides_recent(account: Account, limit: int = 10) -> list[HealthOverride]:
    """The account's overrides and requests, newest first: the account page's record of them."""
    return list(
        HealthOverride.objects.filter(account=account).select_related("requested_by", "approved_by", "ended_by")[:limit]
    )


def _account_locked(account: Account) -> None:
    """Take the account's row lock first, as the engine does, so no scoring run reads the
    overrides half-changed, and close what ended by date (an open row past its expiry)."""
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).get()
    HealthOverride.objects.filter(account=account, status__in=OPEN_STATUSES, expires_on__lt=clock.today()).update(
        status=OverrideStatus.EXPIRED
    )


def _validated(*, color: str, reason: str, starts_on: dt.date, expires_on: dt.date | None) -> str:
    """The reason, stripped; a ValidationError keyed by field for anything wrong."""
    errors = {}
    if color not in Color.values:
        errors["color"] = "Choose green, yellow or red."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the computed color is wrong."
    errors.update(rules.override_dates_problems(starts_on=starts_on, expires_on=expires_on, today=clock.today()))
    if errors:
        raise ValidationError(errors)
    return reason


def _open(*, account: Account, color: str, reason: str, expires_on: dt.date | None, by, active: bool):
    today = clock.today()
    reason = _validated(color=color, reason=reason, starts_on=today, expires_on=expires_on)
    _account_locked(account)
    if HealthOverride.objects.filter(account=account, status__in=OPEN_STATUSES).exists():
        raise ValidationError(ALREADY_OPEN)
    override = HealthOverride(
        account=account,
        color=color,
        reason=reason,
        starts_on=today,
        expires_on=expires_on,
        requested_by=by,
        status=OverrideStatus.ACTIVE if active else OverrideStatus.PENDING,
        approved_by=by if active else None,
        approved_at=timezone.now() if active else None,
    )
    override.full_clean(exclude=["account", "requested_by", "approved_by"], validate_constraints=False)
    with audit.acting_user(by):
        override.save()
    if active:
        scoring.account_rescore(account=account, as_of=today)
    return override


@transaction.atomic
def override_set(*, account: Account, color: str, reason: str, expires_on: dt.date | None, by) -> HealthOverride:
    """A manager's override: in force at once, the account rescored (its color change, if any,
    goes to the outbox like any other)."""
    return _open(account=account, color=color, reason=reason, expires_on=expires_on, by=by, active=True)


@transaction.atomic
def override_request(*, account: Account, color: str, reason: str, expires_on: dt.date | None, by) -> HealthOverride:
    """A TAM's request: nothing changes until a manager approves it."""
    return _open(account=account, color=color, reason=reason, expires_on=expires_on, by=by, active=False)


def _reloaded(override: HealthOverride, *allowed: str) -> HealthOverride:
    """The override as committed, after the account's lock; refused unless its status is allowed."""
    _account_locked(override.account)
    fresh = HealthOverride.objects.select_related("account").get(pk=override.pk)
    if fresh.status not in allowed:
        raise ValidationError(f"This override is {fresh.get_status_display().lower()} now: nothing was changed.")
    return fresh


@transaction.atomic
def override_approve(*, override: HealthOverride, by) -> HealthOverride:
    """A manager approves a TAM's request: it starts today (and keeps its expiry date)."""
    override = _reloaded(override, OverrideStatus.PENDING)
    today = clock.today()
    _validated(color=override.color, reason=override.reason, starts_on=today, expires_on=override.expires_on)
    override.status = OverrideStatus.ACTIVE
    override.starts_on = today
    override.approved_by = by
    override.approved_at = timezone.now()
    with audit.acting_user(by):
        override.save(update_fields=["status", "starts_on", "approved_by", "approved_at"])
    scoring.account_rescore(account=override.account, as_of=today)
    return override


@transaction.atomic
def override_reject(*, override: HealthOverride, by) -> HealthOverride:
    """A manager turns a TAM's request down: the computed color stays."""
    return _end(_reloaded(override, OverrideStatus.PENDING), OverrideStatus.REJECTED, by)


@transaction.atomic
def override_cancel(*, override: HealthOverride, by) -> HealthOverride:
    """End an override early (or withdraw a request): the computed color is back at once."""
    override = _reloaded(override, *OPEN_STATUSES)
    was_active = override.status == OverrideStatus.ACTIVE
    _end(override, OverrideStatus.CANCELLED, by)
    if was_active:
        scoring.account_rescore(account=override.account, as_of=clock.today())
    return override


def _end(override: HealthOverride, status: str, by) -> HealthOverride:
    override.status = status
    override.ended_by = by
    override.ended_at = timezone.now()
    with audit.acting_user(by):
        override.save(update_fields=["status", "ended_by", "ended_at"])
    return override
