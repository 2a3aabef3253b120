"""The account page's history of changes: TAM sentiment entries and overall color changes,
newest first down to the minute, repeated confirmations of one day folded into one line, and the
system's rescoring named as the system's, never like a person's action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from accounts import selectors
from accounts.models import Account, HealthChange, HealthSnapshot, ScorecardConfig, ScorecardVersion, SentimentSource
from accounts.scoring import rules

SYSTEM = "Healthscore"
DAILY_RESCORE = f"{SYSTEM} (daily rescore)"
RESCORE_AFTER_UPDATE = f"{SYSTEM} (rescored at once after the update below)"
RULES_CHANGED = "Scorecard rules"
# A color change with no measure's color changed (and no scorecard version to say more).
UNEXPLAINED = "Scorecard rules or weights changed"
# A color change this soon after a person's sentiment entry of the same day is its rescore.
RESCORE_WITHIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class HistoryItem:
    """One change in the account's health: who, when (day and, when known, time), from -> to, why."""

    date: dt.date
    what: str  # "TAM Sentiment" or "Overall health"
    old: str | None
    new: str | None
    who: str
    why: str
    source: str = ""
    at: dt.datetime | None = None  # when it was recorded, if on that day
    sort_rank: int = 0  # same moment: the overall change (1) above the sentiment behind it (0)
    count: int = 1  # repeated confirmations of one day shown as one line
    first_at: dt.datetime | None = None  # the earliest of them
    is_confirmation: bool = False


def _person(user, source: str) -> str:
    if user is None:
        return "Import" if source == SentimentSource.IMPORT else "Unknown (user removed)"
    return user.get_full_name() or user.username


def _on_its_day(moment: dt.datetime | None, day: dt.date) -> dt.datetime | None:
    """The time of a row recorded on the day it is about (a backfill or an import keeps no time)."""
    return moment if moment is not None and moment.date() == day else None


def account_history(*, account: Account, snapshots: list[HealthSnapshot], limit: int = 50) -> list[HistoryItem]:
    """TAM sentiment entries and overall color changes, newest first, including within a day."""
    items = []
    # Only the newest `limit` entries can be shown; one more gives the oldest its "from" color.
    newest = list(account.sentiments.select_related("author").order_by(*rules.SENTIMENT_NEWEST_FIRST)[: limit + 1])
    entries = newest[::-1]
    previous = None
    if len(entries) > limit:
        previous, entries = entries[0].color, entries[1:]
    person_updates = []
    for entry in entries:
        at = _on_its_day(entry.created_at, entry.date)
        items.append(
            HistoryItem(
                date=entry.date,
                what="TAM Sentiment",
                old=previous,
                new=entry.color,
                who=_person(entry.author, entry.source),
                why=entry.reason,
                source=entry.get_source_display(),
                at=at,
                is_confirmation=entry.source == SentimentSource.CONFIRMATION,
            )
        )
        if entry.author_id is not None and at is not None:
            person_updates.append(at)
        previous = entry.color
    items += _overall_changes(account, snapshots, person_updates)
    items.sort(key=lambda item: (item.date, item.at or dt.datetime.min.replace(tzinfo=dt.UTC), item.sort_rank))
    return _fold_confirmations(items[::-1])[:limit]


def _overall_changes(account: Account, snapshots: list[HealthSnapshot], person_updates) -> list[HistoryItem]:
    if not snapshots:
        return []
    # When each change was recorded (the outbox keeps one row per account, day and pair of colors).
    recorded = {
        (as_of, new): created
        for as_of, new, created in HealthChange.objects.filter(
            account=account, as_of__gte=snapshots[0].date, as_of__lte=snapshots[-1].date
        )
        .order_by("created_at")
        .values_list("as_of", "new_color", "created_at")
    }
    # The color in force when the window opens, so its first day is not taken for a first score.
    before = (
        account.snapshots.filter(date__lt=snapshots[0].date)
        .only("date", "color", "measures", "config_version_id")
        .annotate(override=selectors.SNAPSHOT_OVERRIDE)
        .order_by("-date")
        .first()
    )
    versions = _versions([before, *snapshots])
    items = []
    for snap in snapshots:
        rules_changed = _rules_change(before, snap, versions)
        if rules_changed and before.color == snap.color:
            items.append(
                HistoryItem(
                    date=snap.date,
                    what=RULES_CHANGED,
                    old=before.color,
                    new=snap.color,
                    who=rules_changed[0],
                    why=rules_changed[1],
                    at=_on_its_day(versions[snap.config_version_id].created_at, snap.date),
                    sort_rank=1,
                )
            )
        elif rules_changed:
            items.append(
                HistoryItem(
                    date=snap.date,
                    what="Overall health",
                    old=before.color,
                    new=snap.color,
                    who=rules_changed[0],
                    why=rules_changed[1] + _measures_also(before, snap),
                    at=_on_its_day(versions[snap.config_version_id].created_at, snap.date),
                    sort_rank=1,
                )
            )
        elif before is None or snap.color != before.color:
            at = _on_its_day(recorded.get((snap.date, snap.color or "")), snap.date)
            after_update = at is not None and any(
                dt.timedelta(0) <= at - update <= RESCORE_WITHIN for update in person_updates
            )
            who = RESCORE_AFTER_UPDATE if after_update else DAILY_RESCORE
            why = _measure_changes(before, snap)
            override = getattr(snap, "override", None)
            if override:  # the color is a person's override (who, why, until when)
                who = f"{override['by']} (override)"
                why = _override_words(override)
            elif before is not None and getattr(before, "override", None):
                why = f"Override ended: the computed color is back. {why}"
            items.append(
                HistoryItem(
                    date=snap.date,
                    what="Overall health",
                    old=before.color if before else None,
                    new=snap.color,
                    who=who,
                    why=why,
                    at=at,
                    sort_rank=1,
                )
            )
        before = snap
    return items


def _versions(snapshots: list[HealthSnapshot | None]) -> dict[int, ScorecardVersion]:
    """The scorecard versions on both sides of each change of version between consecutive
    snapshots (one query; none when the rules never changed in the window)."""
    ids = set()
    for before, after in zip(snapshots, snapshots[1:], strict=False):
        if before is not None and before.config_version_id and after.config_version_id:
            if before.config_version_id != after.config_version_id:
                ids |= {before.config_version_id, after.config_version_id}
    return ScorecardVersion.objects.in_bulk(ids) if ids else {}


def _rules_change(before: HealthSnapshot | None, after: HealthSnapshot, versions) -> tuple[str, str] | None:
    """(who, what changed) when two consecutive snapshots were made by different scorecard
    versions; None otherwise (also when either predates versions: nothing is known then)."""
    if before is None or not before.config_version_id or not after.config_version_id:
        return None
    if before.config_version_id == after.config_version_id:
        return None
    old, new = versions[before.config_version_id], versions[after.config_version_id]
    fields = "; ".join(
        f"{_field_label(name)} {_value(a)} → {_value(b)}" for name, a, b in old.as_rules().diff(new.as_rules())
    )
    who = f"{SYSTEM} (rules changed: version {new.number})"
    return who, f"Rules changed (version {old.number} → {new.number}): {fields or 'same values'}"


def _measures_also(before: HealthSnapshot, after: HealthSnapshot) -> str:
    moved = _measure_changes(before, after)
    return "" if moved == UNEXPLAINED else f". Measures: {moved}"


def _field_label(name: str) -> str:
    return ScorecardConfig._meta.get_field(name).verbose_name


def _value(value) -> str:
    return "empty" if value is None else f"{value:,}" if isinstance(value, Decimal) else str(value)


def _override_words(override: dict) -> str:
    computed = rules.color_label(override.get("computed_color"))
    return f"Override until {override['until']}: “{override['reason']}” (computed color {computed})"


def _fold_confirmations(items: list[HistoryItem]) -> list[HistoryItem]:
    """Repeated "confirmed current" of one day, one after the other, become one line with a count."""
    folded: list[HistoryItem] = []
    for item in items:
        last = folded[-1] if folded else None
        if (
            last is not None
            and item.is_confirmation
            and last.is_confirmation
            and item.date == last.date
            and item.new == last.new
        ):
            folded[-1] = replace(last, count=last.count + 1, first_at=item.at or last.first_at, old=item.old)
        else:
            folded.append(item)
    return folded


def _measure_changes(before: HealthSnapshot | None, after: HealthSnapshot) -> str:
    """Which measures moved between two snapshots, in words."""
    if before is None:
        return "First score on record" if after.score is not None else "Not enough data to score"
    changes = []
    for name in rules.MEASURES:
        old = (before.measures.get(name) or {}).get("color")
        new = (after.measures.get(name) or {}).get("color")
        if old != new:
            changes.append(f"{rules.LABELS[name]} {old or 'missing'} → {new or 'missing'}")
    return "; ".join(changes) if changes else UNEXPLAINED
