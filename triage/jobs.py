"""The daily jobs and the outbox drain: the services behind the Celery beat tasks and the
management commands.

Every job is idempotent and safe to run twice or twice at once: rows are created with
bulk_create(ignore_conflicts=True) against unique constraints (one open triage per account,
one open CTA per account and kind, one CTA per account, kind and situation, one notification
per change and recipient), and state moves with conditional updates. A job killed half-way
leaves committed chunks behind; the next run completes the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Color
from accounts.scoring import inputs, rules
from accounts.scoring.services import scores_recompute
from healthscore import clock
from triage import selectors
from triage.models import (
    ACTIVE_CTA_STATES,
    COLOR_FOR_RISK,
    RISK_FOR_COLOR,
    Cta,
    CtaKind,
    CtaState,
    EmailStatus,
    HealthChange,
    Notification,
    Risk,
    TriageOrigin,
    TriageRecord,
    TriageStatus,
    TriageUpdate,
    TriageUpdateKind,
    region_label_for,
)

logger = logging.getLogger(__name__)


def _color_words(color: str) -> str:
    """A color inside a sentence: "red", "unscored"."""
    return rules.color_label(color).lower()


# Accounts handled per transaction: bounds memory and lock time; a fixed number of queries each.
CHUNK = 2000
# A change older than this (a backfill of history) updates nothing and tells no one.
NOTIFY_WITHIN_DAYS = 7
# After this many failed deliveries an email is given up (and shown as failed in admin).
EMAIL_MAX_ATTEMPTS = 5
# What a mail server or the network raise when a message cannot be delivered (retried later).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)

Progress = Callable[[int], None] | None


def _chunks(accounts: QuerySet[Account]):
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


def _resolve(ctas: QuerySet[Cta], *, note: str, on: dt.date) -> int:
    """Close CTAs that no longer apply (done, by the app)."""
    return ctas.filter(state__in=ACTIVE_CTA_STATES).update(
        state=CtaState.DONE, snoozed_until=None, resolved_on=on, resolved_by=None, resolution=note
    )


# --- Triage -------------------------------------------------------------------------------


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
    for chunk in _chunks(scored):
        records, ctas = [], []
        for account in chunk:
            records += _automatic_triage(account, as_of)
            ctas += _triage_ctas(account, as_of)
        with transaction.atomic():
            TriageRecord.objects.bulk_create(records, ignore_conflicts=True)
            Cta.objects.bulk_create(ctas, ignore_conflicts=True)
        result.accounts += len(chunk)
        if progress:
            progress(len(chunk))
    result.triage_opened = their_records.count() - records_before
    result.ctas_opened = their_ctas.count() - ctas_before

    active = Cta.objects.filter(account__in=base, state__in=ACTIVE_CTA_STATES)
    decide, close = active.filter(kind=CtaKind.DECIDE_TRIAGE), active.filter(kind=CtaKind.CLOSE_TRIAGE)
    result.ctas_resolved += _resolve(
        decide.filter(account__triage_records__status=TriageStatus.OPEN), note="A triage record is open", on=as_of
    )
    result.ctas_resolved += _resolve(
        decide.exclude(account__health_color=Color.YELLOW), note="Health is no longer yellow", on=as_of
    )
    result.ctas_resolved += _resolve(
        close.exclude(triage__status=TriageStatus.OPEN), note="The triage record is closed", on=as_of
    )
    result.ctas_resolved += _resolve(
        close.exclude(account__health_color=Color.GREEN), note="Health is no longer green", on=as_of
    )
    result.risks_synced = _sync_open_records(base)
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


def _sync_open_records(accounts: QuerySet[Account]) -> int:
    """Open records follow their account: risk label = current health, region label, owner = TAM.

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
                text=f"Risk {record.risk} → {risk}: the account's health is now {_color_words(COLOR_FOR_RISK[risk])}.",
            )
        changed += updated
    return changed


# --- Out-of-date health and cadence CTAs --------------------------------------------------


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
    for chunk in _chunks(base.filter(tam__isnull=False).filter(inputs.stale_q(as_of))):
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
    result.resolved = _resolve(
        Cta.objects.filter(account__in=base, kind=CtaKind.UPDATE_HEALTH).exclude(
            inputs.stale_q(as_of, prefix="account__")
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
    return _resolve(
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
    for chunk in _chunks(rows):
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
            result.resolved += _resolve(
                Cta.objects.filter(account__in=[a.pk for a in kept], kind=CtaKind.MISSED_CADENCE),
                note="A cadence call was held",
                on=as_of,
            )
        result.accounts += len(chunk)
        if progress:
            progress(len(chunk))
    result.opened = Cta.objects.count() - before
    return result


def _cadence_detail(account: Account) -> str:
    window = "weekly while onboarding" if account.onboarding else "at least monthly"
    last = account.last_cadence_call.isoformat() if account.last_cadence_call else "none on record"
    return f"No cadence call held in the last {rules.cadence_days(account.onboarding)} days ({window}); last: {last}."


# --- The outbox: health changes -> notifications and triage ---------------------------------


def health_changes_record(changes) -> None:
    """Listener on accounts.scoring.color_change_listeners, inside the change's transaction:
    write the outbox rows, and enqueue their delivery only once the transaction commits."""
    from triage import tasks  # the tasks module imports this one

    HealthChange.objects.bulk_create(
        [
            HealthChange(
                account_id=change.account_id,
                old_color=change.old or "",
                new_color=change.new or "",
                as_of=change.as_of,
            )
            for change in changes
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(tasks.outbox_drain_enqueue, robust=True)


@dataclass
class DrainResult:
    changes: int = 0
    notifications: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (
            f"Notifications: {self.changes} health changes processed, {self.notifications} notifications created, "
            f"{self.emails_sent} emails sent, {self.emails_failed} failed (retried on the next run)."
        )


def outbox_drain(*, today: dt.date | None = None, connection=None, progress: Progress = None) -> DrainResult:
    """Process every pending health change, then send every pending email. Run after each
    commit that changed a color, and every minute by beat (so nothing is lost while the broker
    is down). Safe to run twice at once: each change and each email is claimed in a transaction."""
    today = today or clock.today()
    result = DrainResult()
    before = Notification.objects.count()
    result.changes += health_changes_settle_not_news(today=today)
    pending = HealthChange.objects.filter(processed_at__isnull=True).order_by("created_at", "pk")
    for change_id in list(pending.values_list("pk", flat=True)):
        result.changes += health_change_process(change_id=change_id, today=today)
        if progress:
            progress(1)
    result.notifications = Notification.objects.count() - before
    result.emails_sent, result.emails_failed = notification_emails_send(connection=connection)
    return result


def health_changes_settle_not_news(*, today: dt.date) -> int:
    """Mark processed, in one statement, every pending change nobody is told about: a first score,
    a color the account has moved on from, or one older than the notification window (the same
    test as health_change_process, which would only mark them one by one). A first scoring of
    100,000 accounts then costs one UPDATE instead of 100,000 transactions."""
    return (
        HealthChange.objects.filter(processed_at__isnull=True)
        .filter(
            Q(old_color="")
            | Q(new_color="")
            | Q(as_of__lt=today - dt.timedelta(days=NOTIFY_WITHIN_DAYS))
            | Q(account__health_color__isnull=True)
            | ~Q(account__health_color=F("new_color"))
        )
        .update(processed_at=timezone.now())
    )


def health_change_process(*, change_id: int, today: dt.date) -> bool:
    """One change, once: notifications for its recipients and a triage pass on its account.

    Only a change that is still the account's current color and recent counts: the first score
    of an account is not a change anyone is told about, and a backfill of history is not news.
    """
    with transaction.atomic():
        change = (
            HealthChange.objects.select_for_update(of=("self",))
            .select_related("account", "account__sal", "account__solutions_architect")
            .filter(pk=change_id, processed_at__isnull=True)
            .first()
        )
        if change is None:
            return False  # processed by another run
        account = change.account
        current = (
            change.old_color != ""
            and change.new_color != ""
            and account.health_color == change.new_color
            and change.as_of >= today - dt.timedelta(days=NOTIFY_WITHIN_DAYS)
        )
        if current:
            recipients = selectors.notification_recipients(account=account, color=change.new_color)
            Notification.objects.bulk_create(
                [
                    Notification(
                        change=change,
                        recipient=recipient.user,
                        account=account,
                        old_color=change.old_color,
                        new_color=change.new_color,
                        roles="; ".join(recipient.roles)[:300],
                    )
                    for recipient in recipients
                ],
                ignore_conflicts=True,
            )
            triage_run(as_of=today, accounts=Account.objects.filter(pk=account.pk))
        HealthChange.objects.filter(pk=change.pk).update(processed_at=timezone.now())
    return True


def notification_emails_send(*, connection=None) -> tuple[int, int]:
    """Send every pending notification email once; returns (sent, failed). One connection to
    the mail server serves the whole batch."""
    sent = failed = 0
    pending = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0, 0
    own = connection is None
    connection = connection or get_connection()
    try:
        if own:
            connection.open()
    except DELIVERY_ERRORS as exc:
        logger.warning("Mail server unreachable, %s emails wait for the next run: %s", len(pending), exc)
        return 0, 0
    try:
        for pk in pending:
            outcome = notification_email_send(notification_id=pk, connection=connection)
            sent += outcome == "sent"
            failed += outcome == "failed"
    finally:
        if own:
            connection.close()
    return sent, failed


def notification_email_send(*, notification_id: int, connection=None) -> str:
    """Send one notification's email, exactly once.

    The row is claimed (pending -> sent) and the message sent in one transaction: a second run
    waits on the row lock and then finds it sent; a failure or a killed worker rolls the claim
    back, so the next run sends it. Delivery errors are recorded and retried, up to a limit.
    """
    try:
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1
            )
            if not claimed:
                return "skipped"
            notification = Notification.objects.select_related("recipient", "account", "account__tam").get(
                pk=notification_id
            )
            if not notification.recipient.email:
                Notification.objects.filter(pk=notification_id).update(
                    email_status=EmailStatus.NO_ADDRESS, emailed_at=None
                )
                return "no_address"
            message = notification_email(notification)
            message.connection = connection or get_connection()
            message.send()
    except DELIVERY_ERRORS as exc:
        logger.warning("Notification %s: email not delivered, will retry: %s", notification_id, exc)
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
            email_attempts=F("email_attempts") + 1,
            email_error=str(exc)[:2000],
            email_status=Case(
                When(email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1, then=Value(EmailStatus.FAILED)),
                default=Value(EmailStatus.PENDING),
            ),
        )
        return "failed"
    except Exception as exc:
        # Anything else (a header Django refuses, a bug in building one message) fails this
        # email only: recorded with its traceback and retried up to the limit, while the other
        # notifications in the queue still go out.
        logger.exception("Notification %s: email could not be built or sent", notification_id)
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
            email_attempts=F("email_attempts") + 1,
            email_error=f"{type(exc).__name__}: {exc}"[:2000],
            email_status=Case(
                When(email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1, then=Value(EmailStatus.FAILED)),
                default=Value(EmailStatus.PENDING),
            ),
        )
        return "failed"
    return "sent"


def notification_email(notification: Notification) -> EmailMessage:
    """The email: who, what color, why you are told, and a link. Built from the account's
    fields only, so no meeting note, meeting summary or sentiment reason can leak into it."""
    account = notification.account
    recipient = notification.recipient
    new, old = _color_words(notification.new_color), _color_words(notification.old_color)
    tam = account.tam.get_full_name() or account.tam.username if account.tam else "unassigned"
    score = f"{account.health_score} / 100" if account.health_score is not None else "no score"
    lines = [
        f"Hello {recipient.get_full_name() or recipient.username},",
        "",
        f"{account.name}'s customer health is now {new.upper()} (it was {old}).",
        "",
        f"Score: {score} (Customer Health Score Date {account.health_date or 'not set'})",
        f"Segment: {account.get_segment_display()}, region: {account.region}"
        + (", public sector" if account.public_sector else ""),
        f"TAM: {tam}",
        "",
        f"You are told as: {notification.roles}.",
        "The TAM leads the triage; the handbook's communication guidelines ask that you know.",
        "",
        f"Open the account: {settings.SITE_URL}{reverse('account_detail', args=[account.external_id])}",
        f"Your notifications: {settings.SITE_URL}{reverse('triage:notification_list')}",
    ]
    return EmailMessage(
        # A header is one line: a name imported or typed with a line break must not break it.
        subject=" ".join(f"[Healthscore] {account.name} is now {new} (was {old})".split()),
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


# --- The daily pipeline -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the daily pipeline: its name, what it runs, and how many rows it walks."""

    name: str
    run: Callable[..., object]
    total: Callable[[dt.date], int]


def _scores(*, as_of: dt.date, progress: Progress = None) -> str:
    return f"Scores: {scores_recompute(as_of=as_of, progress=progress)} accounts scored as of {as_of}."


def _notifications(*, as_of: dt.date, progress: Progress = None) -> DrainResult:
    return outbox_drain(today=as_of, progress=progress)


def _stale_count(as_of: dt.date) -> int:
    return Account.objects.filter(tam__isnull=False).filter(inputs.stale_q(as_of)).count()


DAILY_STEPS = (
    Step("Scoring", _scores, lambda as_of: Account.objects.count()),
    Step("Triage", triage_run, lambda as_of: Account.objects.filter(health_color__isnull=False).count()),
    Step(
        "Notifications",
        _notifications,
        lambda as_of: HealthChange.objects.filter(processed_at__isnull=True).count(),
    ),
    Step("Health CTAs", ctas_health_open, _stale_count),
    Step("Cadence CTAs", ctas_cadence_open, lambda as_of: Account.objects.filter(tam__isnull=False).count()),
)


def daily_step(name: str) -> Step:
    return next(step for step in DAILY_STEPS if step.name == name)


def daily_run(*, as_of: dt.date) -> list[str]:
    """Every daily job in order: recompute scores, triage, notifications, out-of-date health
    CTAs, cadence CTAs. Returns one summary line per step.

    A step that fails does not cost the others their day (a broken mail server must not stop
    the CTAs): each runs, and the failures are raised together at the end, so the task still
    fails loudly and is retried."""
    lines, failed = [], []
    for step in DAILY_STEPS:
        try:
            lines.append(str(step.run(as_of=as_of)))
        except Exception as exc:
            logger.exception("Daily jobs: step %r failed", step.name)
            failed.append((step.name, exc))
    if failed:
        names = ", ".join(name for name, _ in failed)
        raise DailyRunError(f"daily jobs as of {as_of}: {names} failed ({failed[0][1]})") from failed[0][1]
    return lines


class DailyRunError(RuntimeError):
    """One or more daily steps failed; the others ran."""
