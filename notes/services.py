"""Writes for the notes app. A meeting note, its meeting, its action items and the health change
are saved in one transaction: bad input anywhere saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import listeners
from accounts import services as account_services
from accounts.models import Account, Color, Meeting, MeetingKind, MeetingStatus, SentimentSource
from accounts.scoring import services as scoring
from healthscore import clock
from notes import rendering, selectors
from notes.models import (
    ActionItem,
    ChampionChange,
    FeatureRequest,
    NoteEntry,
    NoteEntryVersion,
    RiskAssessment,
    RiskCategory,
    SignalData,
)

NO_CHANGE, CONFIRM = "", "confirm"
EMPTY_NOTE = (
    "This meeting note is empty: write what was discussed in at least one section, or add or tick off "
    "an action item. No meeting was logged."
)


@dataclass(frozen=True)
class NoteSections:
    """The text of an entry, section by section in the handbook's agenda (Markdown)."""

    action_item_updates: str = ""
    architecture_changes: str = ""
    new_deployments: str = ""
    product_feedback: str = ""
    support_review: str = ""
    questions_answers: str = ""
    health_business: str = ""
    health_operational: str = ""


@dataclass(frozen=True)
class NewActionItem:
    text: str
    owner: str
    due: dt.date | None = None


@transaction.atomic
def note_create(
    *,
    account: Account,
    by,
    date: dt.date,
    kind: str = MeetingKind.CADENCE,
    attendees: str = "",
    sections: NoteSections,
    done_items: Collection[int] = (),
    new_items: Sequence[NewActionItem] = (),
    health: str = NO_CHANGE,
    health_reason: str = "",
    risks: Collection[str] | None = None,
    risk_note: str = "",
) -> NoteEntry:
    """Add a meeting's entry to the account's running notes.

    Logs the meeting as held (it feeds Engagement), ticks off the carried-over action items the
    TAM reports done, adds the new ones, and applies "Did customer health change?": `health`
    is "" (not assessed), "confirm" (no change: the health is current) or a color (a sentiment
    update with `health_reason`). `risks`, when given and different from the current
    assessment (or with a note), records a new risk assessment. The account is rescored as of
    today. Errors are keyed by these parameter names.
    """
    today = clock.today()
    errors = {}
    if date > today:
        errors["date"] = "A meeting note is for a meeting that took place: the date cannot be in the future."
    latest = (
        NoteEntry.objects.filter(account=account).order_by("-meeting__date").values_list("meeting__date", flat=True)[:1]
    )
    if latest and date < latest[0]:
        errors["date"] = (
            f"The running notes go forward: the latest entry is from {latest[0]:%Y-%m-%d}; "
            "use that date or a later one."
        )
    if health not in (NO_CHANGE, CONFIRM, *Color.values):
        errors["health"] = "Choose one of the options."
    open_items = {item.pk: item for item in ActionItem.objects.select_for_update().filter(account=account, done=False)}
    unknown = set(done_items) - set(open_items)
    if unknown:
        errors["done_items"] = "Some of the ticked items are not open action items of this account."
    if not any(text.strip() for text in asdict(sections).values()) and not new_items and not done_items:
        # An empty note would still log a held meeting and turn Engagement green.
        errors[NON_FIELD_ERRORS] = EMPTY_NOTE
    if errors:
        raise ValidationError(errors)

    meeting = Meeting(
        account=account, date=date, kind=kind, status=MeetingStatus.HELD, attendees=attendees, logged_by=by
    )
    meeting.full_clean()
    meeting.save()
    entry = NoteEntry(account=account, meeting=meeting, author=by, **asdict(sections))
    entry.full_clean()
    entry.sections_html = rendering.sections_render(entry)
    entry.save()

    for pk in done_items:
        item = open_items[pk]
        item.done, item.done_in = True, entry
        item.full_clean()
        item.save(update_fields=["done", "done_in"])
    for new in new_items:
        item = ActionItem(entry=entry, account=account, text=new.text.strip(), owner=new.owner.strip(), due=new.due)
        item.full_clean()
        item.save()

    if risks is not None:
        current = selectors.risk_current(account)
        if risk_note.strip() or set(risks) != set(current.categories if current else ()):
            risk_assessment_record(account=account, by=by, categories=risks, note=risk_note)

    rescored = False
    if health == CONFIRM:
        try:
            account_services.health_confirm(account=account, by=by)
        except ValidationError as exc:
            raise ValidationError({"health": exc.messages}) from None
        rescored = True
    elif health:
        try:
            account_services.sentiment_update(
                account=account,
                color=health,
                reason=health_reason,
                by=by,
                source=SentimentSource.MEETING_NOTE,
                date=today,
            )
        except ValidationError as exc:
            reason = exc.message_dict.get("reason") if hasattr(exc, "error_dict") else None
            raise ValidationError({"health_reason": reason or exc.messages}) from None
        rescored = True
    if not rescored:
        # The held meeting moves Engagement: show the new score at once.
        scoring.account_rescore(account=account, as_of=today)
    # The held meeting closes the "Missed cadence call" CTA in this same transaction.
    listeners.meetings_logged(account_ids=[account.pk], today=today)
    return entry


@transaction.atomic
def note_update(*, entry: NoteEntry, sections: NoteSections, attendees: str, by) -> NoteEntry:
    """Correct an entry's text and attendees, keeping the earlier text as a version (readable by
    whoever may read the note) and marking the entry edited. The meeting's date and type, the
    action items and the health change stay as recorded (the next entry carries later news).
    Saving the same text again changes nothing."""
    entry = NoteEntry.objects.select_for_update().select_related("meeting").get(pk=entry.pk)
    before = {name: getattr(entry, name) for name in NoteSections.__dataclass_fields__}
    if before == asdict(sections) and entry.meeting.attendees == attendees.strip():
        return entry
    if not any(text.strip() for text in asdict(sections).values()):
        raise ValidationError({NON_FIELD_ERRORS: "A meeting note cannot be emptied: keep some text in one section."})
    last = entry.versions.order_by("-replaced_at", "-pk").first()
    version = NoteEntryVersion(
        entry=entry,
        attendees=entry.meeting.attendees,
        sections=before,
        written_by_id=last.replaced_by_id if last else entry.author_id,
        written_at=entry.edited_at or entry.created_at,
        replaced_by=by,
    )
    version.full_clean()
    version.save()
    for name, value in asdict(sections).items():
        setattr(entry, name, value)
    entry.edited_at = timezone.now()
    entry.full_clean()
    entry.sections_html = rendering.sections_render(entry)
    entry.save()
    meeting = entry.meeting
    meeting.attendees = attendees.strip()
    meeting.full_clean()
    meeting.save(update_fields=["attendees"])
    return entry


@transaction.atomic
def risk_assessment_record(*, account: Account, by, categories: Collection[str], note: str = "") -> RiskAssessment:
    """Record which of the six risk categories apply now; earlier assessments stay as history."""
    unknown = set(categories) - set(RiskCategory.values)
    if unknown:
        raise ValidationError({"categories": f"Unknown risk categories: {', '.join(sorted(unknown))}."})
    assessment = RiskAssessment(
        account=account,
        author=by,
        date=clock.today(),
        note=note.strip(),
        **{c: c in categories for c in RiskCategory.values},
    )
    assessment.full_clean()
    assessment.save()
    return assessment


@dataclass(frozen=True)
class AccountSignalData:
    """The account's data behind the utilization and upgrade signals."""

    deployment: str
    licences_purchased: int
    licences_used: int
    product_stages: Sequence[str]
    current_version: str


@transaction.atomic
def signal_data_update(
    *,
    account: Account,
    data: AccountSignalData,
    feature_requests: Sequence[FeatureRequest] = (),
    champion_changes: Sequence[ChampionChange] = (),
    deleted: Sequence[FeatureRequest | ChampionChange] = (),
) -> Account:
    """Save the data behind the signals in one transaction: the account's licences, stages,
    deployment and version, and its feature requests and champion changes (new or changed
    rows of this account, and rows to delete)."""
    for row in [*feature_requests, *champion_changes, *deleted]:
        if row.pk is not None and row.account_id != account.pk:
            raise ValidationError("A row belongs to another account.")
    signal_data = SignalData(
        account=account,
        deployment=data.deployment,
        licences_purchased=data.licences_purchased,
        licences_used=data.licences_used,
        product_stages=sorted({s.strip().lower() for s in data.product_stages if s.strip()}),
        current_version=data.current_version.strip(),
    )
    signal_data.full_clean(exclude=["account"])
    signal_data.save()
    account.signal_data = signal_data
    # The account's "last changed" time still moves when its signal data does.
    account.save(update_fields=["updated_at"])
    for row in [*feature_requests, *champion_changes]:
        row.account = account
        row.full_clean()
        row.save()
    for row in deleted:
        if row.pk is not None:
            row.delete()
    return account
