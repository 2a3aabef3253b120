"""Bulk import of CRM and helpdesk exports (the JSON format in the README).

Two steps: `parse` validates the whole document and returns every problem with its place
(`accounts[3].arr: must be a number >= 0`); `import_apply` writes, in one transaction, only a
document that parsed cleanly. Rows are keyed by their external ids, so importing the same file
twice leaves the database exactly as after one import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from accounts.models import (
    Account,
    Color,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
    Region,
    Segment,
    SentimentEntry,
    SentimentSource,
    SuccessPlan,
    SupportTicket,
    TicketSeverity,
    TicketStatus,
)
from healthscore import clock
from notes.models import (
    ChampionChange,
    ChampionChangeKind,
    ChampionRole,
    Deployment,
    FeatureRequest,
    FeatureRequestStatus,
    SignalData,
)

# Account fields whose import key differs from the field name, and those every row must have.
ACCOUNT_SOURCE = {"external_id": "id", "solutions_architect": "sa"}
ACCOUNT_REQUIRED = {"external_id", "name", "segment", "arr", "region"}
# Account-row fields kept in notes.SignalData (the data behind the health signals).
SIGNAL_FIELDS = ("deployment", "licences_purchased", "licences_used", "product_stages", "current_version")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
SECTIONS = (
    "accounts",
    "meetings",
    "tickets",
    "success_plans",
    "sentiments",
    # The data behind the notes app's health signals (docs/notes.md).
    "feature_requests",
    "champion_changes",
)


class ImportErrors(Exception):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Parsed:
    accounts: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    success_plans: list[dict] = field(default_factory=list)
    sentiments: list[dict] = field(default_factory=list)
    feature_requests: list[dict] = field(default_factory=list)
    champion_changes: list[dict] = field(default_factory=list)

    def total(self) -> int:
        return sum(len(getattr(self, s)) for s in SECTIONS)


class _Row:
    """Reads one row's fields, collecting problems under the row's place."""

    def __init__(self, place: str, raw, problems: list[str]):
        self.place, self.problems = place, problems
        self.raw = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            problems.append(f"{place}: must be an object")

    def error(self, key: str, message: str) -> None:
        self.problems.append(f"{self.place}.{key}: {message}")

    def text(
        self, key: str, *, required: bool = False, max_length: int = 200, default: str = "", multiline: bool = False
    ) -> str | None:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.error(key, "is required")
                return None
            return default
        if not isinstance(value, str):
            self.error(key, "must be a string")
            return None
        value = value.strip()
        if not multiline and any(ch in value for ch in "\r\n\x00"):
            self.error(key, "must be on one line")
            return None
        if len(value) > max_length:
            self.error(key, f"must be at most {max_length} characters")
            return None
        return value

    def unique_id(self, seen: dict[str, str], *, required: bool = True, url_safe: bool = False) -> str | None:
        """The row's `id`, reported when an earlier row of the section has it already.
        Account ids appear in page addresses, so they must be url_safe."""
        ext = self.text("id", required=required, max_length=64, default=None)
        if ext and url_safe and not EXTERNAL_ID.fullmatch(ext):
            self.error("id", "may contain only letters, digits, '.', '_' and '-'")
            return None
        if ext and ext in seen:
            self.error("id", f"duplicate of {seen[ext]}")
        elif ext:
            seen[ext] = self.place
        return ext

    def choice(self, key: str, choices, *, required: bool = False, default=None):
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return default
        allowed = [c.value for c in choices]
        if value not in allowed:
            self.error(key, f"must be one of {', '.join(allowed)}")
            return None
        return value

    def date(self, key: str, *, required: bool = True, not_after: dt.date | None = None) -> dt.date | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return None
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad()
        except ValueError:
            self.error(key, "must be a date in YYYY-MM-DD form")
            return None
        if not_after and day > not_after:
            self.error(key, f"must not be after today ({not_after:%Y-%m-%d})")
            return None
        return day

    def number(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise InvalidOperation
            number = Decimal(str(value))
            if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            self.error(key, "must be a number >= 0")
            return None
        if number.as_tuple().exponent < -2:
            self.error(key, "must have at most 2 decimal places")
            return None
        return number

    def integer(self, key: str) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(key, "must be a whole number >= 0")
            return None
        return value

    def boolean(self, key: str, default: bool | None = False) -> bool | None:
        value = self.raw.get(key, default)
        if not isinstance(value, bool) and value is not None:
            self.error(key, "must be true or false")
            return None
        return value

    def email(self, key: str) -> str | None:
        value = self.text(key, max_length=254)
        if value:
            try:
                validate_email(value)
            except Exception:
                self.error(key, "must be an email address")
                return None
            return value.lower()
        return None


def _bad():
    raise ValueError


def parse(document) -> Parsed:
    """Validate a whole import document; raise ImportErrors listing every problem."""
    problems: list[str] = []
    if not isinstance(document, dict):
        raise ImportErrors(["(top): must be a JSON object with the sections " + ", ".join(SECTIONS)])
    for key in document:
        if key not in SECTIONS:
            problems.append(f"{key}: unknown section (expected one of {', '.join(SECTIONS)})")
    sections = {}
    for name in SECTIONS:
        rows = document.get(name, [])
        if not isinstance(rows, list):
            problems.append(f"{name}: must be a list")
            rows = []
        sections[name] = rows

    parsed = Parsed()
    seen_accounts: dict[str, str] = {}
    for i, raw in enumerate(sections["accounts"]):
        row = _Row(f"accounts[{i}]", raw, problems)
        fields = {
            "external_id": row.unique_id(seen_accounts, url_safe=True),
            "name": row.text("name", required=True),
            "segment": row.choice("segment", Segment, required=True),
            "arr": row.number("arr", required=True),
            "region": row.choice("region", Region, required=True),
            "public_sector": row.boolean("public_sector"),
            "onboarding": row.boolean("onboarding"),
            "renewal_date": row.date("renewal_date", required=False),
            "tam": row.email("tam"),
            "sal": row.email("sal"),
            "solutions_architect": row.email("sa"),
            "deployment": row.choice("deployment", Deployment, default=None),
            "licences_purchased": row.integer("licences_purchased"),
            "licences_used": row.integer("licences_used"),
            "product_stages": _stages(row),
            "current_version": row.text("current_version", max_length=20, default=None),
        }
        # Only what the row carries: a re-import that leaves out the SA keeps the SA.
        parsed.accounts.append(
            {k: v for k, v in fields.items() if k in ACCOUNT_REQUIRED or ACCOUNT_SOURCE.get(k, k) in row.raw}
        )

    referenced = {r.get("account") for name in SECTIONS[1:] for r in sections[name] if isinstance(r, dict)}
    referenced = {r for r in referenced if isinstance(r, str)}
    known = set(seen_accounts) | set(
        Account.objects.filter(external_id__in=referenced - set(seen_accounts)).values_list("external_id", flat=True)
    )

    def account_ref(row: _Row) -> str | None:
        ext = row.text("account", required=True, max_length=64)
        if ext and ext not in known:
            row.error("account", f"unknown account {ext!r} (not in this file nor in the database)")
            return None
        return ext

    seen_meetings: dict[str, str] = {}
    for i, raw in enumerate(sections["meetings"]):
        row = _Row(f"meetings[{i}]", raw, problems)
        parsed.meetings.append(
            {
                "external_id": row.unique_id(seen_meetings, required=False),
                "account": account_ref(row),
                "date": row.date("date"),
                "status": row.choice("status", MeetingStatus, default=MeetingStatus.HELD.value),
                "kind": row.choice("kind", MeetingKind, default=MeetingKind.CADENCE.value),
            }
        )

    seen_tickets: dict[str, str] = {}
    for i, raw in enumerate(sections["tickets"]):
        row = _Row(f"tickets[{i}]", raw, problems)
        parsed.tickets.append(
            {
                "external_id": row.unique_id(seen_tickets),
                "account": account_ref(row),
                "opened": row.date("opened"),
                "severity": row.choice("severity", TicketSeverity, default=TicketSeverity.NORMAL.value),
                "status": row.choice("status", TicketStatus, default=TicketStatus.OPEN.value),
                "subject": row.text("subject", max_length=300),
            }
        )

    for i, raw in enumerate(sections["success_plans"]):
        row = _Row(f"success_plans[{i}]", raw, problems)
        parsed.success_plans.append(
            {
                "external_id": row.text("id", max_length=64),
                "account": account_ref(row),
                "status": row.choice("status", PlanStatus, required=True),
                "title": row.text("title"),
            }
        )

    for i, raw in enumerate(sections["sentiments"]):
        row = _Row(f"sentiments[{i}]", raw, problems)
        parsed.sentiments.append(
            {
                "account": account_ref(row),
                "color": row.choice("color", Color, required=True),
                "date": row.date("date", not_after=clock.today()),
                "reason": row.text("reason", max_length=2000, multiline=True),
            }
        )

    seen_requests: dict[str, str] = {}
    for i, raw in enumerate(sections["feature_requests"]):
        row = _Row(f"feature_requests[{i}]", raw, problems)
        parsed.feature_requests.append(
            {
                "external_id": row.unique_id(seen_requests),
                "account": account_ref(row),
                "title": row.text("title", required=True, max_length=300),
                "important": row.boolean("important", default=None),
                "status": row.choice("status", FeatureRequestStatus, default=FeatureRequestStatus.OPEN.value),
                "opened": row.date("opened", required=False),
            }
        )

    seen_changes: dict[str, str] = {}
    for i, raw in enumerate(sections["champion_changes"]):
        row = _Row(f"champion_changes[{i}]", raw, problems)
        parsed.champion_changes.append(
            {
                "external_id": row.unique_id(seen_changes),
                "account": account_ref(row),
                "person": row.text("person", required=True),
                "role": row.choice("role", ChampionRole, default=ChampionRole.CHAMPION.value),
                "change": row.choice("change", ChampionChangeKind, required=True),
                "date": row.date("date"),
            }
        )

    if problems:
        raise ImportErrors(problems)
    return parsed


def _stages(row: _Row) -> list[str] | None:
    value = row.raw.get("product_stages")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        row.error("product_stages", "must be a list of stage names")
        return None
    return sorted({s.strip().lower() for s in value})


def _user_for(email: str | None, cache: dict):
    """The user with this email; one without a usable password is created when none matches."""
    if not email:
        return None
    if email not in cache:
        User = get_user_model()
        # An existing login whose username is this email counts too (its email may be blank).
        user = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).order_by("pk").first()
        if user is None:
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.full_clean()
            user.save()
        cache[email] = user
    return cache[email]


@transaction.atomic
def import_apply(parsed: Parsed, *, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write a parsed document; returns how many rows each section created (the rest updated)."""
    tick = progress or (lambda n: None)
    created = dict.fromkeys(SECTIONS, 0)
    users: dict = {}
    for row in parsed.accounts:
        roles = ("tam", "sal", "solutions_architect")
        # A null value keeps what the account has; a role given as null or "" clears it.
        fields = {
            k: v
            for k, v in row.items()
            if k != "external_id" and k not in roles and k not in SIGNAL_FIELDS and v is not None
        }
        for role in roles:
            if role in row:
                fields[role] = _user_for(row[role], users)
        account = Account.objects.filter(external_id=row["external_id"]).first() or Account(
            external_id=row["external_id"]
        )
        is_new = account.pk is None
        for key, value in fields.items():
            setattr(account, key, value)
        account.full_clean(exclude=["health_color", "health_score", "health_date", "scored_on"])
        account.save()
        signal_values = {k: row[k] for k in SIGNAL_FIELDS if row.get(k) is not None}
        if signal_values:
            data = SignalData.objects.filter(account=account).first() or SignalData(account=account)
            for key, value in signal_values.items():
                setattr(data, key, value)
            data.full_clean(exclude=["account"])
            data.save()
        created["accounts"] += is_new
        tick(1)

    ids = {a.external_id: a.pk for a in Account.objects.filter(external_id__in=_refs(parsed)).only("external_id")}
    for row in parsed.meetings:
        account_id = ids[row["account"]]
        values = {"account_id": account_id, "date": row["date"], "status": row["status"], "kind": row["kind"]}
        if row["external_id"]:
            _, new = Meeting.objects.update_or_create(external_id=row["external_id"], defaults=values)
        else:
            # No id: one imported meeting per account and date, under an id of its own, so a
            # re-import finds it and meetings logged in Healthscore on that day are left alone.
            _, new = Meeting.objects.update_or_create(
                external_id=f"import:{row['account']}:{row['date']:%Y-%m-%d}", defaults=values
            )
        created["meetings"] += new
        tick(1)

    for row in parsed.tickets:
        values = {k: row[k] for k in ("opened", "severity", "status", "subject")}
        _, new = SupportTicket.objects.update_or_create(
            external_id=row["external_id"], defaults={**values, "account_id": ids[row["account"]]}
        )
        created["tickets"] += new
        tick(1)

    for row in parsed.success_plans:
        _, new = SuccessPlan.objects.update_or_create(
            account_id=ids[row["account"]],
            external_id=row["external_id"],
            defaults={"status": row["status"], "title": row["title"]},
        )
        created["success_plans"] += new
        tick(1)

    for row in parsed.sentiments:
        _, new = SentimentEntry.objects.get_or_create(
            account_id=ids[row["account"]],
            date=row["date"],
            color=row["color"],
            reason=row["reason"],
            source=SentimentSource.IMPORT,
        )
        created["sentiments"] += new
        tick(1)

    # Keyed by their ids: a second import of the same file updates, never duplicates.
    for section, model in (("feature_requests", FeatureRequest), ("champion_changes", ChampionChange)):
        for row in getattr(parsed, section):
            # A missing (or null) field keeps the stored value; a new row takes the model default.
            values = {k: v for k, v in row.items() if k not in ("external_id", "account") and v is not None}
            obj = model.objects.filter(external_id=row["external_id"]).first() or model(external_id=row["external_id"])
            is_new = obj.pk is None
            obj.account_id = ids[row["account"]]
            for key, value in values.items():
                setattr(obj, key, value)
            obj.full_clean(exclude=["account"])
            obj.save()
            created[section] += is_new
            tick(1)
    return created


def _refs(parsed: Parsed) -> set[str]:
    return {r["account"] for s in SECTIONS[1:] for r in getattr(parsed, s)}
