"""The CTAs the daily jobs open: "Update health score" for out-of-date health, "Missed cadence
call" for a window without a cadence call, "Override ends soon" in an override's last week; each
closes itself once it no longer applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Account, HealthOverride, OverrideStatus
from accounts.scoring import rules, staleness
from healthscore import clock
from healthscore.pipeline import Progress
from triage import selectors
from triage.jobs import CHUNK, chunks, resolve
from triage.models import ACTIVE_CTA_STATES, Cta, CtaKind


@dataclass
class CtaRunResult:
    label: str
    accounts: int = 0
    opened: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return (
            f"{self.label}: {self.accounts} accounts checked, {self.opened} CTAs opened, {self.resolved} CTAs closed."
        )


def ctas_health_open(
    *, as_of: dt.date, accounts: QuerySet[Account] | None = None, progress: Progress = None
) -> CtaRunResult:
    """An "Update health score" CTA for each TAM's account whose Customer Health Score Date is
    more than a month old (Enterprise) or a quarter old (Commercial); up-to-date ones close."""
    base = accounts if accounts is not None else Account.objects.all()
    result = CtaRunResult("Out-of-date health")
    before = Cta.objects.count()
    for chunk in chunks(base.filter(tam__isnull=False).filter(staleness.stale_q(as_of))):
        ctas = [
            Cta(
                account=account,
                kind=CtaKind.UPDATE_HEALTH,
                key=_health_key(account, as_of),
                detail=_stale_detail(account),
                opened_on=as_of,
            )
            for account in chunk
        ]
        Cta.objects.bulk_create(ctas, ignore_conflicts=True)
        result.accounts += len(chunk)
        if progress:
            progress(len(chunk))
    result.opened = Cta.objects.count() - before
    result.resolved = resolve(
        Cta.objects.filter(account__in=base, kind=CtaKind.UPDATE_HEALTH).exclude(
            staleness.stale_q(as_of, prefix="account__")
        ),
        note="Health updated or confirmed",
        on=as_of,
    )
    return result


def _health_key(account: Account, as_of: dt.date) -> str:
    """The stale health date and which freshness period of it we are in: a CTA the TAM marked
    done without updating comes back a period later (a month for Enterprise, a quarter for
    Commercial), never twice in one period."""
    months = rules.FRESH_MONTHS[account.segment]
    since = account.health_date or dt.date(2000, 1, 1)
    elapsed = (as_of.year * 12 + as_of.month) - (since.year * 12 + since.month)
    return f"{account.health_date.isoformat() if account.health_date else 'never'}/{elapsed // months}"


def _cadence_key(account: Account, as_of: dt.date) -> str:
    """The last cadence call and how many cadence windows have passed since: a new CTA for each
    window missed (weekly while onboarding, monthly otherwise), one per window."""
    days = rules.cadence_days(account.onboarding)
    since = account.last_cadence_call or dt.date(2000, 1, 1)
    last = account.last_cadence_call.isoformat() if account.last_cadence_call else "never"
    return f"{last}/{(as_of - since).days // days}"


def _stale_detail(account: Account) -> str:
    if account.health_date is None:
        return "No Customer Health Score Date yet: set the TAM sentiment or confirm the health."
    age = rules.FRESH_WORDS[account.segment]
    return (
        f"Customer Health Score Date {account.health_date.isoformat()} is more than {age} old: "
        "update or confirm the health."
    )


def health_update_cta_close(account: Account) -> int:
    """The TAM updated or confirmed the health: its "Update health score" CTA closes itself."""
    today = clock.today()
    if rules.health_is_stale(account.segment, account.health_date, today):
        return 0
    return resolve(
        Cta.objects.filter(account=account, kind=CtaKind.UPDATE_HEALTH), note="Health updated or confirmed", on=today
    )


def ctas_cadence_open(
    *, as_of: dt.date, accounts: QuerySet[Account] | None = None, progress: Progress = None
) -> CtaRunResult:
    """A "Missed cadence call" CTA for each TAM's account with no cadence call held in its window
    (weekly while onboarding, monthly otherwise); it closes once a call is held."""
    base = accounts if accounts is not None else Account.objects.all()
    result = CtaRunResult("Cadence")
    before = Cta.objects.count()
    rows = selectors.accounts_with_last_cadence_call(base.filter(tam__isnull=False), as_of)
    for chunk in chunks(rows):
        missed, kept = [], []
        for account in chunk:
            (missed if rules.cadence_missed(account.onboarding, account.last_cadence_call, as_of) else kept).append(
                account
            )
        with transaction.atomic():
            Cta.objects.bulk_create(
                [
                    Cta(
                        account=account,
                        kind=CtaKind.MISSED_CADENCE,
                        key=_cadence_key(account, as_of),
                        detail=_cadence_detail(account),
                        opened_on=as_of,
                    )
                    for account in missed
                ],
                ignore_conflicts=True,
            )
            result.resolved += resolve(
                Cta.objects.filter(account__in=[a.pk for a in kept], kind=CtaKind.MISSED_CADENCE),
                note="A cadence call was held",
                on=as_of,
            )
        result.accounts += len(chunk)
        if progress:
            progress(len(chunk))
    result.opened = Cta.objects.count() - before
    return result


def cadence_cta_close(*, account_ids, today: dt.date) -> int:
    """A cadence call was logged: the "Missed cadence call" CTAs of these accounts whose cadence
    is now kept close at once, in the logging transaction (the daily job would close them
    tomorrow by the same rule). Reads only the accounts that have such a CTA open or snoozed."""
    ids = sorted(set(account_ids))
    # A large batch (an import) first asks whether any such CTA is open at all: none are after
    # a first import, and the join per chunk of ids would find nothing a thousand times over.
    if len(ids) > CHUNK and not Cta.objects.filter(kind=CtaKind.MISSED_CADENCE, state__in=ACTIVE_CTA_STATES).exists():
        return 0
    closed = 0
    for start in range(0, len(ids), CHUNK):
        with_cta = Account.objects.filter(
            pk__in=ids[start : start + CHUNK],
            ctas__kind=CtaKind.MISSED_CADENCE,
            ctas__state__in=ACTIVE_CTA_STATES,
        )
        kept = [
            account.pk
            for account in selectors.accounts_with_last_cadence_call(with_cta, today)
            if not rules.cadence_missed(account.onboarding, account.last_cadence_call, today)
        ]
        if kept:
            closed += resolve(
                Cta.objects.filter(account__in=kept, kind=CtaKind.MISSED_CADENCE),
                note="A cadence call was held",
                on=today,
            )
    return closed


def _cadence_detail(account: Account) -> str:
    window = "weekly while onboarding" if account.onboarding else "at least monthly"
    last = account.last_cadence_call.isoformat() if account.last_cadence_call else "none on record"
    return f"No cadence call held in the last {rules.cadence_days(account.onboarding)} days ({window}); last: {last}."


def stale_total(as_of: dt.date) -> int:
    """The daily "Health CTAs" step's progress bar: the TAMs' accounts with out-of-date health."""
    return Account.objects.filter(tam__isnull=False).filter(staleness.stale_q(as_of)).count()


def cadence_total(as_of: dt.date) -> int:
    """The daily "Cadence CTAs" step's progress bar: every TAM's account."""
    return Account.objects.filter(tam__isnull=False).count()


def _overrides_ending(as_of: dt.date, accounts: QuerySet[Account] | None):
    """The overrides in force on as_of whose last day is within the reminder window."""
    first, last = rules.override_reminder_window(as_of)
    ending = HealthOverride.objects.filter(
        status=OverrideStatus.ACTIVE, starts_on__lte=as_of, expires_on__gte=first, expires_on__lte=last
    )
    return ending.filter(account__in=accounts) if accounts is not None else ending


def ctas_override_open(
    *, as_of: dt.date, accounts: QuerySet[Account] | None = None, progress: Progress = None
) -> CtaRunResult:
    """An "Override ends soon" CTA in the last week of an override: its owner (the manager who
    set or approved it, named in the CTA) decides whether the computed color may return or sets
    a new override. One CTA per override (its key), so a second run opens nothing; it closes
    once the override has ended (expired, cancelled)."""
    result = CtaRunResult("Override CTAs")
    ending = list(
        _overrides_ending(as_of, accounts)
        .select_related("approved_by")
        .only(
            "pk",
            "account_id",
            "color",
            "expires_on",
            "approved_by__first_name",
            "approved_by__last_name",
            "approved_by__username",
        )
        .order_by("pk")
    )
    keys = [_override_key(override.pk) for override in ending]
    before = Cta.objects.count()
    with transaction.atomic():
        # Closed first: a replaced override's CTA makes way for the new one's.
        ctas = Cta.objects.filter(kind=CtaKind.OVERRIDE_ENDING).exclude(key__in=keys)
        if accounts is not None:
            ctas = ctas.filter(account__in=accounts)
        result.resolved = resolve(ctas, note="The override ended", on=as_of)
        Cta.objects.bulk_create(
            [
                Cta(
                    account_id=override.account_id,
                    kind=CtaKind.OVERRIDE_ENDING,
                    key=key,
                    detail=_override_detail(override),
                    opened_on=as_of,
                )
                for override, key in zip(ending, keys, strict=True)
            ],
            ignore_conflicts=True,
        )
    result.accounts = len(ending)
    result.opened = Cta.objects.count() - before
    if progress:
        progress(len(ending))
    return result


def _override_key(override_id: int) -> str:
    return f"override/{override_id}"


def _override_detail(override: HealthOverride) -> str:
    owner = override.approved_by.get_full_name() or override.approved_by.username if override.approved_by else "unknown"
    return (
        f"The override to {rules.color_label(override.color)} set by {owner} ends on "
        f"{override.expires_on.isoformat()}: let the computed color return, or set a new override."
    )


def override_total(as_of: dt.date) -> int:
    """The daily "Override CTAs" step's progress bar: the overrides ending within a week."""
    return _overrides_ending(as_of, None).count()
