"""Reads for the notes app: the running notes document, notes search, the health signals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts import listing
from accounts.models import Account, Meeting, MeetingStatus, SupportTicket
from accounts.scoring import inputs as scoring_inputs
from accounts.scoring import rules
from healthscore import permissions
from notes import health_signals
from notes.models import (
    RISK_NEWEST_FIRST,
    SEARCH_CONFIG,
    SECTION_FIELDS,
    ActionItem,
    ChampionChange,
    Deployment,
    FeatureRequest,
    FeatureRequestStatus,
    NoteEntry,
    NoteEntryVersion,
    ProductRelease,
    RiskAssessment,
    SignalData,
    note_search_vector,
)

# Regular calls with the customer: cadence calls, and the weekly calls of the onboarding phase.
MISSED_STATUSES = (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW)
# Notes of at most this many accounts whose name or CRM id contains the term are added.
NAMED_ACCOUNTS_MAX = 200
# SQLite fallback search: at most this many words, each must occur in some section.
SEARCH_MAX_WORDS = 8


# --- Who may read what ----------------------------------------------------------------------


# --- The running notes document -------------------------------------------------------------


@dataclass
class CarriedItem:
    """An open action item from an earlier entry, as it stood in a later meeting."""

    item: ActionItem
    done_here: bool
    overdue: bool = False


@dataclass
class EntryView:
    entry: NoteEntry
    carried: list[CarriedItem] = field(default_factory=list)
    new_items: list[ActionItem] = field(default_factory=list)
    tickets: list[SupportTicket] = field(default_factory=list)

    @property
    def date(self) -> dt.date:
        return self.entry.meeting.date


def entries_for_document(account: Account) -> QuerySet[NoteEntry]:
    """The account's entries, newest first, with their meeting and author joined."""
    return (
        NoteEntry.objects.filter(account=account)
        .select_related("meeting", "author", "account")
        .order_by("-meeting__date", "-pk")
    )


def open_tickets_q(day: dt.date) -> Q:
    """Tickets open as of a day: opened on or before it and not closed by then. A ticket solved
    or closed without a closing date counts as closed (we cannot tell when)."""
    return Q(opened__lte=day) & (Q(closed__gt=day) | Q(closed__isnull=True, status__in=SupportTicket.OPEN_STATUSES))


def _open_on(ticket: SupportTicket, day: dt.date) -> bool:
    if ticket.opened > day:
        return False
    if ticket.closed is not None:
        return ticket.closed > day
    return ticket.status in SupportTicket.OPEN_STATUSES


def entry_views(account: Account, entries: list[NoteEntry]) -> list[EntryView]:
    """Each entry with the action items carried into it, its new items and the tickets open as of
    its meeting date: two queries for any number of entries."""
    if not entries:
        return []
    items = list(
        ActionItem.objects.filter(account=account)
        .annotate(created_date=F("entry__meeting__date"), done_date=F("done_in__meeting__date"))
        .order_by("due", "pk")
    )
    dates = [e.meeting.date for e in entries]
    tickets = list(
        SupportTicket.objects.filter(account=account, opened__lte=max(dates))
        .filter(Q(closed__gt=min(dates)) | Q(closed__isnull=True, status__in=SupportTicket.OPEN_STATUSES))
        .order_by("opened", "pk")
    )
    views = []
    for entry in entries:
        key = (entry.meeting.date, entry.pk)
        view = EntryView(entry=entry)
        for item in items:
            if item.entry_id == entry.pk:
                view.new_items.append(item)
                continue
            created = (item.created_date, item.entry_id)
            done = None if item.done_in_id is None else (item.done_date, item.done_in_id)
            if created < key and (done is None or done >= key):
                done_here = item.done_in_id == entry.pk
                overdue = not done_here and item.due is not None and item.due < entry.meeting.date
                view.carried.append(CarriedItem(item=item, done_here=done_here, overdue=overdue))
        view.tickets = [t for t in tickets if _open_on(t, entry.meeting.date)]
        views.append(view)
    return views


def open_action_items(account: Account) -> QuerySet[ActionItem]:
    """The account's open action items, to carry into the next entry."""
    return (
        ActionItem.objects.filter(account=account, done=False)
        .annotate(created_date=F("entry__meeting__date"))
        .order_by("due", "pk")
    )


def open_tickets(account: Account, day: dt.date) -> QuerySet[SupportTicket]:
    return SupportTicket.objects.filter(open_tickets_q(day), account=account).order_by("opened", "pk")


def current_sentiment(account: Account, today: dt.date) -> str | None:
    """The color of the TAM's latest sentiment (what "did health change?" compares with)."""
    entry = scoring_inputs.sentiment_in_force(account.sentiments, today).values_list("color", flat=True)
    return entry.first()


def latest_entry_date(account: Account) -> dt.date | None:
    return NoteEntry.objects.filter(account=account).aggregate(latest=Max("meeting__date"))["latest"]


# --- Search ---------------------------------------------------------------------------------


def entries_search(*, user, term: str) -> QuerySet[NoteEntry]:
    """Entries matching the search term, only from accounts the user may read notes of.

    PostgreSQL: full-text search (websearch syntax: words, "a phrase", -not, or) ranked by
    relevance, served by the note_entry_search GIN index. Elsewhere (SQLite): every word must
    occur, case-insensitively, in some section. Either way an entry also matches when its
    account's name or CRM id contains the term (every note of "Acme" for "acme").
    """
    entries = NoteEntry.objects.filter(permissions.notes_readable_q(user, "account__")).select_related(
        "account", "meeting"
    )
    term = term.strip()
    if not term:
        return entries.none()
    # The named accounts' ids first (one small query), then a plain list on the entry's own
    # account column: PostgreSQL ORs the GIN index's matches with the account index's (a
    # BitmapOr); a join or a subquery inside the OR made it scan every entry.
    named_ids = list(Account.objects.filter(listing.search_q(term)).values_list("pk", flat=True)[:NAMED_ACCOUNTS_MAX])
    account_named = Q(account_id__in=named_ids) if named_ids else Q(pk__in=[])
    if connection.vendor == "postgresql":
        query = SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")
        return (
            entries.annotate(search=note_search_vector())
            .filter(Q(search=query) | account_named)
            .annotate(rank=SearchRank(F("search"), query))
            .order_by("-rank", "-meeting__date", "-pk")
        )
    in_text = Q()
    for word in term.split()[:SEARCH_MAX_WORDS]:
        any_section = Q()
        for name in SECTION_FIELDS:
            any_section |= Q(**{f"{name}__icontains": word})
        in_text &= any_section
    return entries.filter(in_text | account_named).order_by("-meeting__date", "-pk")


def first_matching_text(entry: NoteEntry, term: str) -> str:
    """The first section of the entry that contains a word of the term (else the first non-empty)."""
    words = [w.lower() for w in term.split() if w]
    texts = [getattr(entry, name) for name in SECTION_FIELDS]
    for text in texts:
        if any(w in text.lower() for w in words):
            return text
    return next((t for t in texts if t.strip()), "")


# --- Risk assessments -----------------------------------------------------------------------


def risk_current(account: Account) -> RiskAssessment | None:
    """The latest assessment: the risk categories that apply now."""
    return RiskAssessment.objects.filter(account=account).order_by(*RISK_NEWEST_FIRST).first()


def risk_history(account: Account) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(account=account).select_related("author").order_by(*RISK_NEWEST_FIRST)


# --- Health signals -------------------------------------------------------------------------


def _count(queryset) -> Coalesce:
    counted = queryset.values("account").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def signal_data_of(account: Account) -> SignalData:
    """The account's signal data; the defaults (unsaved) when none is stored. Reads no row when
    the account came with `select_related("signal_data")`."""
    try:
        return account.signal_data
    except SignalData.DoesNotExist:
        return SignalData(account=account)


def accounts_with_signal_inputs(accounts: QuerySet[Account], today: dt.date) -> QuerySet[Account]:
    """Accounts with their signal data, annotated with the counts and dates behind the signals:
    one query for any number."""
    tickets = SupportTicket.objects.filter(account=OuterRef("pk"))
    annotations = {
        f"sig_tickets_{i}": _count(tickets.filter(opened__gte=first, opened__lte=last))
        for i, (first, last) in enumerate(health_signals.support_months(today))
    }
    cadence = Meeting.objects.filter(account=OuterRef("pk"), kind__in=rules.CADENCE_KINDS, date__lte=today)
    since = today - dt.timedelta(days=health_signals.MISSED_WINDOW_DAYS)
    return accounts.select_related("signal_data").annotate(
        **annotations,
        sig_missed=_count(cadence.filter(status__in=MISSED_STATUSES, date__gt=since)),
        sig_last_held=scoring_inputs.last_cadence_call(today),
        sig_important=_count(
            FeatureRequest.objects.filter(account=OuterRef("pk"), status=FeatureRequestStatus.OPEN, important=True)
        ),
    )


def latest_release() -> ProductRelease | None:
    return ProductRelease.objects.order_by("-major", "-minor").first()


def signals_for_accounts(accounts: QuerySet[Account], today: dt.date) -> list[tuple[Account, list]]:
    """Every account's signals as of today: four queries for any number of accounts (accounts
    with their counts, champion changes, the latest release, the scorecard rules)."""
    annotated = list(accounts_with_signal_inputs(accounts, today))
    since = today - dt.timedelta(days=health_signals.CHAMPION_WINDOW_DAYS)
    changes = defaultdict(list)
    for change in ChampionChange.objects.filter(
        account__in=[a.pk for a in annotated], date__gt=since, date__lte=today
    ).order_by("-date", "-pk"):
        changes[change.account_id].append(
            health_signals.ChampionEvent(
                person=change.person,
                role=change.get_role_display(),
                change=change.change,
                change_label=change.get_change_display(),
                date=change.date,
            )
        )
    release = latest_release()
    by_segment = scoring_inputs.rules_by_segment()
    results = []
    for account in annotated:
        segment_rules = by_segment[account.segment]
        data = signal_data_of(account)
        signal_inputs = health_signals.SignalInputs(
            today=today,
            self_managed=data.deployment == Deployment.SELF_MANAGED,
            licences_purchased=data.licences_purchased,
            licences_used=data.licences_used,
            product_stages=tuple(data.product_stages or ()),
            current_version=data.current_version,
            latest_release=(release.major, release.minor) if release else None,
            open_important_requests=account.sig_important,
            tickets_per_month=tuple(getattr(account, f"sig_tickets_{i}") for i in range(health_signals.SUPPORT_MONTHS)),
            support_green_max=segment_rules.support_green_max,
            support_yellow_max=segment_rules.support_yellow_max,
            onboarding=account.onboarding,
            missed_cadence_calls=account.sig_missed,
            last_held_cadence=account.sig_last_held,
            champion_events=tuple(changes[account.pk]),
        )
        results.append((account, health_signals.compute(signal_inputs)))
    return results


def account_signals(account: Account, today: dt.date) -> list[health_signals.Signal]:
    [(_, signals)] = signals_for_accounts(Account.objects.filter(pk=account.pk), today)
    return signals


@dataclass(frozen=True)
class VersionView:
    """An earlier text of an entry, section by section as the page shows it."""

    version: NoteEntryVersion
    sections: list[tuple[str, str]]  # (section's label, its Markdown) for the non-empty ones


def entry_versions(entry: NoteEntry) -> list[VersionView]:
    """An entry's earlier texts, the latest replaced first (readable by whoever reads the note)."""
    labels = {
        field.name: field.verbose_name for field in NoteEntry._meta.get_fields() if hasattr(field, "verbose_name")
    }
    return [
        VersionView(
            version,
            [
                (_sentence_case(str(labels.get(name, name))), text)
                for name, text in version.sections.items()
                if text.strip()
            ],
        )
        for version in entry.versions.select_related("written_by", "replaced_by")
    ]


def _sentence_case(label: str) -> str:
    return label[:1].upper() + label[1:]
