"""Mirrors of triage records in outside systems: where the app that owns the records (triage)
and an app that copies them elsewhere (integrations: an issue in the GitLab Account Triage
project) meet without importing each other.

- triage registers its *source*: the records as plain facts (labels, status, a link path; no
  free text, so a mirror cannot send a plan or a log entry by mistake);
- triage calls `triage_records_changed` inside every transaction that opens, edits, closes or
  relabels records, and the registered *listeners* (integrations) note what to sync, in that
  same transaction, so the change and "sync this" commit together (an outbox);
- a mirror registers its *status* function, so the triage record page shows each mirror's link
  and state ("GitLab sync pending", "failed: ...") without knowing who mirrors it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class TriageFacts:
    """One triage record, as the facts a mirror may send."""

    record_id: int
    account_id: int
    is_open: bool
    risk: str  # the risk label, e.g. "HS::Red" (it follows the account's color while open)
    region: str  # the region label, e.g. "EMEA", or "Commercial"
    classification: str  # "E&A", ... or "" while unclassified
    classification_words: str  # "Expected and Avoidable", or ""
    risk_reasons: tuple[str, ...]  # "risk::lack of adoption", ...
    origin: str  # "Opened automatically: health is red", ...
    opened_on: str  # ISO date
    closed_on: str  # ISO date, or "" while open
    path: str  # the record's page, e.g. "/triage/records/12/"


@dataclass(frozen=True)
class MirrorStatus:
    """Where a record is mirrored and how its copy is doing, for the record's page."""

    system: str  # "GitLab"
    url: str  # the copy's web link ("" until it exists)
    state: str  # "synced", "pending" or "failed"
    text: str  # "GitLab issue #12", "GitLab sync pending", "GitLab sync failed: ..."


# source(*, record_ids=None, account_ids=None, open_only=False) -> list[TriageFacts]
TriageSource = Callable[..., list[TriageFacts]]
# listener(*, account_ids): called inside the transaction that changed these accounts' records.
TriageListener = Callable[..., object]
# status(record_ids) -> {record_id: [MirrorStatus, ...]}
MirrorStatuses = Callable[[Collection[int]], dict[int, list[MirrorStatus]]]

_sources: list[TriageSource] = []
_labels: set[str] = set()
_listeners: list[TriageListener] = []
_statuses: list[MirrorStatuses] = []


def register_triage_source(fn: TriageSource, *, labels: Collection[str]) -> None:
    """The triage app's records as facts, and every label a record can carry (the handbook's
    categories); call from AppConfig.ready() (one source)."""
    _sources[:] = [fn]
    _labels.clear()
    _labels.update(labels)


def triage_labels() -> frozenset[str]:
    """Every label of the handbook's categories (risk, region, classification, risk reasons)."""
    return frozenset(_labels)


def register_triage_listener(fn: TriageListener) -> None:
    """A mirror's part in a change of triage records; call from AppConfig.ready()."""
    if fn not in _listeners:
        _listeners.append(fn)


def register_mirror_status(fn: MirrorStatuses) -> None:
    """A mirror's links and states for the record page; call from AppConfig.ready()."""
    if fn not in _statuses:
        _statuses.append(fn)


def triage_facts(
    *, record_ids: Collection[int] | None = None, account_ids: Collection[int] | None = None, open_only: bool = False
) -> list[TriageFacts]:
    """Records by id, or the records of some accounts, or (neither given) all of them; open
    ones only if asked. Empty when no app provides triage records."""
    if not _sources:
        return []
    return _sources[0](record_ids=record_ids, account_ids=account_ids, open_only=open_only)


def triage_records_changed(*, account_ids: Collection[int]) -> None:
    """Triage records of these accounts were opened, edited, closed or relabelled in the current
    transaction."""
    if not account_ids:
        return
    for listener in _listeners:
        listener(account_ids=set(account_ids))


def mirror_statuses(record_ids: Collection[int]) -> dict[int, list[MirrorStatus]]:
    """Every mirror's status of these records (records nobody mirrors are absent)."""
    found: dict[int, list[MirrorStatus]] = {}
    for fn in _statuses:
        for record_id, statuses in fn(record_ids).items():
            found.setdefault(record_id, []).extend(statuses)
    return found
