"""The accounts app's sections of the import document (the JSON format in the README):
accounts, meetings, tickets, success_plans and sentiments. Registered in AccountsConfig.ready().

Rows are keyed by their external ids, so importing the same file twice leaves the database
exactly as after one import. Every account a row changes is rescored after the import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import (
    Account,
    Color,
    DataFeed,
    HealthChange,
    HealthSnapshot,
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
from accounts.scoring.counts import tally_rebuild
from accounts.services import feed_synced
from healthscore import clock
from healthscore.bulk import ValuesIn
from healthscore.importing import (
    ApplyContext,
    Boolean,
    Choice,
    Date,
    Email,
    Id,
    Money,
    Ref,
    Section,
    Text,
    rows_upsert,
    section_register,
)
from healthscore.loads import postgres_load, sqlite_load

ACCOUNT_ROLES = ("tam", "sal", "solutions_architect")


def accounts_find(ids: Iterable[str]) -> dict[str, int]:
    return dict(Account.objects.filter(external_id__in=list(ids)).values_list("external_id", "pk"))


def _account(key: str = "account") -> Ref:
    return Ref(key, section="accounts")


def _users_for(emails: set[str], cache: dict) -> dict[str, int]:
    """The user id for each email; a user without a usable password is created for each email
    no user has. Users seen earlier in the run come from `cache`; the rest cost one query
    (and one INSERT for the new ones)."""
    wanted = {email for email in emails if email and email not in cache}
    if wanted:
        User = get_user_model()
        # An existing login whose username is this email counts too (its email may be blank);
        # the oldest user wins when several match.
        matches = (
            User.objects.annotate(email_lower=Lower("email"), username_lower=Lower("username"))
            .filter(Q(email_lower__in=wanted) | Q(username_lower__in=wanted))
            .order_by("pk")
            .values_list("pk", "email_lower", "username_lower")
        )
        for pk, email, username in matches:
            for value in (email, username):
                if value in wanted and value not in cache:
                    cache[value] = pk
        new = []
        for email in sorted(wanted - set(cache)):
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.full_clean()
            new.append(user)
        for user in User.objects.bulk_create(new):
            cache[user.email] = user.pk
    return cache


def accounts_apply(rows: list[dict], context: ApplyContext) -> int:
    users = _users_for(
        {row[role] for row in rows for role in ACCOUNT_ROLES if row.get(role)}, context.cache.setdefault("users", {})
    )
    values = []
    for row in rows:
        # A null value keeps what the account has; a role given as null or "" clears it.
        fields = {k: v for k, v in row.items() if k not in ACCOUNT_ROLES and v is not None}
        for role in ACCOUNT_ROLES:
            if role in row:
                fields[f"{role}_id"] = users.get(row[role]) if row[role] else None
        values.append(fields)
    done = rows_upsert(Account, key=("external_id",), rows=values)
    context.rescore_many(done.changed.values())
    # The new accounts, and accounts stored before but never scored, are scored now (one query
    # that also gives later sections the new accounts' primary keys).
    new = Account.objects.filter(ValuesIn("external_id", [row["external_id"] for row in rows]), scored_on__isnull=True)
    unscored = dict(new.values_list("external_id", "pk"))
    context.remember("accounts", unscored)
    context.rescore_many(unscored.values())
    return len(done.created)


# Account rows in a document from which a load may set indexes aside (accounts_load): below
# it, keeping them costs little.
LOAD_FROM = 10_000


def accounts_load(rows: int):
    """The accounts section's `load`. A document of many accounts into a database that holds
    fewer than half as many (a first import) writes each new account twice (inserted, then
    rewritten with its first score), and a snapshot and an outbox row for each: on SQLite
    those tables' non-unique indexes and the tally's triggers are set aside for the import, and
    the tally is counted afresh at its end (healthscore.loads.sqlite_load); on PostgreSQL their
    non-unique indexes and the foreign keys that point at them (from meetings, tickets, ...),
    when the import can have those tables to itself at once (healthscore.loads.postgres_load; the
    tally's triggers work per statement there). The scoring engine reads none of them through
    those indexes. Otherwise nothing changes."""
    if rows < LOAD_FROM:
        return contextlib.nullcontext()
    if connection.vendor == "postgresql":
        # The keys to the accounts from the tables this section's import writes go too.
        return postgres_load(
            [Account, HealthSnapshot, HealthChange],
            rows=rows,
            writes=[Meeting, SupportTicket, SuccessPlan, SentimentEntry],
        )
    return sqlite_load([Account, HealthSnapshot, HealthChange], rows=rows, before_triggers=tally_rebuild)


def _rows_of_accounts(rows: list[dict], context: ApplyContext, fields: tuple[str, ...]) -> list[dict]:
    """The rows as field values, each with its account's primary key (looked up once per chunk)."""
    pks = context.pks("accounts", {row["account"] for row in rows})
    return [{"account_id": pks[row["account"]], **{f: row[f] for f in fields}} for row in rows]


def meetings_apply(rows: list[dict], context: ApplyContext) -> int:
    values = _rows_of_accounts(rows, context, ("date", "status", "kind"))
    for row, value in zip(rows, values, strict=True):
        # No id: one imported meeting per account and date, under an id of its own, so a
        # re-import finds it and meetings logged in Healthscore on that day are left alone.
        value["external_id"] = row["external_id"] or f"import:{row['account']}:{row['date']:%Y-%m-%d}"
    feed_synced(DataFeed.MEETINGS)
    return _keyed(Meeting, ("external_id",), values, context)


def tickets_apply(rows: list[dict], context: ApplyContext) -> int:
    values = _rows_of_accounts(rows, context, ("external_id", "opened", "severity", "status", "subject"))
    feed_synced(DataFeed.TICKETS)
    return _keyed(SupportTicket, ("external_id",), values, context)


def success_plans_apply(rows: list[dict], context: ApplyContext) -> int:
    values = _rows_of_accounts(rows, context, ("external_id", "status", "title"))
    return _keyed(SuccessPlan, ("account_id", "external_id"), values, context)


def sentiments_apply(rows: list[dict], context: ApplyContext) -> int:
    # An imported entry is its values: the same entry twice in a file or in two imports is one.
    values = _rows_of_accounts(rows, context, ("date", "color", "reason"))
    return _keyed(
        SentimentEntry, ("account_id", "date", "color", "reason"), values, context, {"source": SentimentSource.IMPORT}
    )


def _keyed(model, key: tuple[str, ...], values: list[dict], context: ApplyContext, within=None) -> int:
    """Upsert rows that feed score inputs; the accounts of the rows created or changed are rescored."""
    done = rows_upsert(model, key=key, rows=values, within=within)
    account_of = {tuple(v[f] for f in key): v["account_id"] for v in values}
    context.rescore_many(account_of[k] for k in (*done.created, *done.changed))
    return len(done.created)


SECTIONS = (
    Section(
        "accounts",
        order=10,
        fields=(
            # Account ids are part of the account's page address.
            Id(url_safe=True),
            Text("name", required=True),
            Choice("segment", required=True, choices=Segment),
            Money("arr", required=True),
            Choice("region", required=True, choices=Region),
            Boolean("public_sector"),
            Boolean("onboarding"),
            Date("renewal_date"),
            Email("tam"),
            Email("sal"),
            Email("sa", name="solutions_architect"),
        ),
        apply=accounts_apply,
        # Only what the row carries: a re-import that leaves out the SA keeps the SA.
        carried_only=True,
        find=accounts_find,
        load=accounts_load,
    ),
    Section(
        "meetings",
        order=20,
        fields=(
            Id(required=False),
            _account(),
            Date("date", required=True),
            Choice("status", choices=MeetingStatus, default=MeetingStatus.HELD.value),
            Choice("kind", choices=MeetingKind, default=MeetingKind.CADENCE.value),
        ),
        apply=meetings_apply,
    ),
    Section(
        "tickets",
        order=30,
        fields=(
            Id(),
            _account(),
            Date("opened", required=True),
            Choice("severity", choices=TicketSeverity, default=TicketSeverity.NORMAL.value),
            Choice("status", choices=TicketStatus, default=TicketStatus.OPEN.value),
            Text("subject", max_length=300),
        ),
        apply=tickets_apply,
    ),
    Section(
        "success_plans",
        order=40,
        fields=(
            # Not unique: without an id, the account's one imported plan is updated.
            Text("id", name="external_id", max_length=64),
            _account(),
            Choice("status", required=True, choices=PlanStatus),
            Text("title"),
        ),
        apply=success_plans_apply,
    ),
    Section(
        "sentiments",
        order=50,
        fields=(
            _account(),
            Choice("color", required=True, choices=Color),
            Date("date", required=True, not_after_today=lambda: clock.today()),
            Text("reason", max_length=2000, multiline=True),
        ),
        apply=sentiments_apply,
    ),
)


def register() -> None:
    for section in SECTIONS:
        section_register(section)
