"""The accounts app's sections of the import document (the JSON format in the README):
accounts, meetings, tickets, success_plans and sentiments. Registered in AccountsConfig.ready().

Rows are keyed by their external ids, so importing the same file twice leaves the database
exactly as after one import. Every account a row changes is rescored after the import.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
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
    section_register,
)

ACCOUNT_ROLES = ("tam", "sal", "solutions_architect")
HEALTH_FIELDS = ["health_color", "health_score", "health_date", "scored_on"]


def accounts_find(ids: Iterable[str]) -> dict[str, int]:
    return dict(Account.objects.filter(external_id__in=list(ids)).values_list("external_id", "pk"))


def _account(key: str = "account") -> Ref:
    return Ref(key, section="accounts")


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


def account_apply(row: dict, context: ApplyContext) -> bool:
    # A null value keeps what the account has; a role given as null or "" clears it.
    fields = {k: v for k, v in row.items() if k != "external_id" and k not in ACCOUNT_ROLES and v is not None}
    users = context.cache.setdefault("users", {})
    for role in ACCOUNT_ROLES:
        if role in row:
            fields[role] = _user_for(row[role], users)
    account = Account.objects.filter(external_id=row["external_id"]).first() or Account(external_id=row["external_id"])
    is_new = account.pk is None
    for key, value in fields.items():
        setattr(account, key, value)
    account.full_clean(exclude=HEALTH_FIELDS)
    account.save()
    context.rescore(account.pk)
    return is_new


def meeting_apply(row: dict, context: ApplyContext) -> bool:
    account_id = context.pk("accounts", row["account"])
    values = {"account_id": account_id, "date": row["date"], "status": row["status"], "kind": row["kind"]}
    # No id: one imported meeting per account and date, under an id of its own, so a re-import
    # finds it and meetings logged in Healthscore on that day are left alone.
    external_id = row["external_id"] or f"import:{row['account']}:{row['date']:%Y-%m-%d}"
    _, new = Meeting.objects.update_or_create(external_id=external_id, defaults=values)
    context.rescore(account_id)
    return new


def ticket_apply(row: dict, context: ApplyContext) -> bool:
    account_id = context.pk("accounts", row["account"])
    values = {k: row[k] for k in ("opened", "severity", "status", "subject")}
    _, new = SupportTicket.objects.update_or_create(
        external_id=row["external_id"], defaults={**values, "account_id": account_id}
    )
    context.rescore(account_id)
    return new


def success_plan_apply(row: dict, context: ApplyContext) -> bool:
    account_id = context.pk("accounts", row["account"])
    _, new = SuccessPlan.objects.update_or_create(
        account_id=account_id,
        external_id=row["external_id"],
        defaults={"status": row["status"], "title": row["title"]},
    )
    context.rescore(account_id)
    return new


def sentiment_apply(row: dict, context: ApplyContext) -> bool:
    account_id = context.pk("accounts", row["account"])
    _, new = SentimentEntry.objects.get_or_create(
        account_id=account_id,
        date=row["date"],
        color=row["color"],
        reason=row["reason"],
        source=SentimentSource.IMPORT,
    )
    context.rescore(account_id)
    return new


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
        apply=account_apply,
        # Only what the row carries: a re-import that leaves out the SA keeps the SA.
        carried_only=True,
        find=accounts_find,
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
        apply=meeting_apply,
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
        apply=ticket_apply,
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
        apply=success_plan_apply,
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
        apply=sentiment_apply,
    ),
)


def register() -> None:
    for section in SECTIONS:
        section_register(section)
