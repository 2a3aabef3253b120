"""Realistic demo data: accounts over both segments and all regions, a believable health mix,
several TAMs and a manager, and 13 weeks of score history. Deterministic for a given seed."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts import overrides
from accounts.models import (
    Account,
    Color,
    DataFeed,
    FeedSync,
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
from accounts.scoring.services import scores_recompute
from healthscore import permissions

DEMO_PASSWORD = "healthscore-demo"
# Notes first: their sentiment changes are then part of the notifications demo's (silent) outbox
# drain, which also runs triage on the changed accounts; the triage demo works on top of it.
# Quality last: it scores weeks before the 13 (history only) and records past renewals' outcomes.
DEMO_APPS = ("notes", "notifications", "triage", "quality")
TAMS = [
    ("ana", "Ana", "Silva"),
    ("ben", "Ben", "Okafor"),
    ("chloe", "Chloe", "Martin"),
    ("dev", "Dev", "Patel"),
    ("emma", "Emma", "Schmidt"),
    ("felix", "Felix", "Tanaka"),
]
PEOPLE = {
    "manager": ("Maria", "Lopez", permissions.MANAGER),
    "admin": ("Alex", "Admin", permissions.ADMIN),
}
SALES = [("sam", "Sam", "Reed"), ("tia", "Tia", "Nguyen"), ("omar", "Omar", "Haddad"), ("lena", "Lena", "Berg")]
ARCHITECTS = [("sol", "Sol", "Rivera"), ("kai", "Kai", "Ito")]
NAME_A = "Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Tyrell Cyberdyne Soylent Vandelay Pied Dunder".split()
NAME_B = "Corp Systems Labs Health Bank Logistics Energy Media Foods Networks Robotics Capital Retail Air".split()
REASONS = {
    Color.GREEN: ["Rollout on track, champion engaged", "Expanding to two more teams", "Happy with CI migration"],
    Color.YELLOW: ["Adoption stalled after reorg", "Champion moving roles", "Frustrated by a runner bug"],
    Color.RED: ["Evaluating a competitor", "Budget cut announced", "Sponsor left, no replacement yet"],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


def admin_gets_demo_password() -> bool:
    """Only the embedded demo (SQLite, debug on: a laptop) gives the superuser the published password."""
    return settings.EMBEDDED and settings.DEBUG


def _user(username: str, first: str, last: str, role: str | None, password_hash: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
    )
    user.password = password_hash
    if role == permissions.ADMIN:
        user.is_staff = user.is_superuser = True
        if not admin_gets_demo_password():
            # Anywhere reachable, a superuser with a password printed in the README is an open door.
            user.set_unusable_password()
    user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


SCORED_WEEKS = 13


def demo_steps(accounts: int) -> int:
    """How many progress steps demo_seed reports: the password, each account, each scored
    week and each app's demo data, so a progress bar covers the whole wait."""
    return 1 + accounts + SCORED_WEEKS + len(DEMO_APPS)


@transaction.atomic
def demo_seed(
    *,
    accounts: int = 300,
    seed: int = 7,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
    phase: Callable[[str], None] | None = None,
) -> list[DemoLogin]:
    """Create the demo people and accounts, then score 13 weekly dates up to today. `progress`
    gets demo_steps(accounts) steps in all; `phase` hears what each stretch of the wait is."""
    rng = random.Random(seed)
    tick = progress or (lambda n: None)
    say = phase or (lambda text: None)
    say("demo logins")
    # One hash for every demo login (the password is printed in the README anyway): hashing it
    # per user took most of a second each before the first account appeared.
    password_hash = make_password(DEMO_PASSWORD)
    tick(1)
    logins = [DemoLogin(username, permissions.TAM) for username, *_ in TAMS]
    tams = [_user(u, f, last, permissions.TAM, password_hash) for u, f, last in TAMS]
    for username, (first, last, role) in PEOPLE.items():
        _user(username, first, last, role, password_hash)
        logins.append(DemoLogin(username, role))
    sales = [_user(u, f, last, None, password_hash) for u, f, last in SALES]
    architects = [_user(u, f, last, None, password_hash) for u, f, last in ARCHITECTS]

    regions = list(Region.values)
    say("accounts and their activity")
    for i in range(accounts):
        # Each account gets a "temperament" that drives a believable mix of signals.
        mood = rng.choices([Color.GREEN, Color.YELLOW, Color.RED], weights=[62, 25, 13])[0]
        segment = Segment.ENTERPRISE if rng.random() < 0.45 else Segment.COMMERCIAL
        arr = (
            Decimal(rng.randrange(80, 1500) * 1000)
            if segment == Segment.ENTERPRISE
            else Decimal(rng.choice([rng.randrange(5, 20), rng.randrange(20, 50), rng.randrange(50, 140)]) * 1000)
        )
        account = Account.objects.create(
            external_id=f"0015f{i:08d}",
            name=f"{rng.choice(NAME_A)} {rng.choice(NAME_B)} {i + 1}",
            segment=segment,
            arr=arr,
            region=rng.choice(regions),
            public_sector=rng.random() < 0.15,
            tam=tams[i % len(tams)],
            sal=rng.choice(sales),
            solutions_architect=rng.choice(architects) if segment == Segment.ENTERPRISE else None,
            onboarding=rng.random() < 0.1,
            renewal_date=today + dt.timedelta(days=rng.randrange(15, 400)),
        )
        _activity(rng, account, mood, today)
        tick(1)

    _data_ages(today)
    say(f"scoring {SCORED_WEEKS} weeks")
    first = today - dt.timedelta(weeks=SCORED_WEEKS - 1)
    for week in range(SCORED_WEEKS):
        scores_recompute(as_of=first + dt.timedelta(weeks=week))
        tick(1)
    # A TAM's sentiment update also confirms the health is current (as in sentiment_update).
    latest_update = Subquery(
        SentimentEntry.objects.filter(account=OuterRef("pk")).values("account").annotate(d=Max("date")).values("d")
    )
    Account.objects.update(health_date=Greatest("health_date", Coalesce(latest_update, "health_date")))
    _overrides(today)
    # The other apps add their demo data on top (triage records, notes, ...).
    for app in DEMO_APPS:
        say(f"{app} demo data")
        importlib.import_module(f"{app}.demo").seed(today=today, rng=rng)
        tick(1)
    return logins


def _data_ages(today: dt.date) -> None:
    """When the demo's data arrived, as if it had been recorded over time (the confidence rule
    reads it): each meeting on its day, success plans touched 10 to 140 days ago, the ticket
    sync two days ago."""
    noon = dt.time(12, tzinfo=dt.UTC)
    Meeting.objects.bulk_update(
        [
            Meeting(pk=pk, created_at=dt.datetime.combine(day, noon))
            for pk, day in Meeting.objects.values_list("pk", "date")
        ],
        ["created_at"],
        batch_size=2000,
    )
    plans = list(SuccessPlan.objects.values_list("pk", flat=True))
    for bucket, days in enumerate((10, 30, 60, 100, 140)):
        SuccessPlan.objects.filter(pk__in=plans[bucket::5]).update(
            updated_at=dt.datetime.combine(today - dt.timedelta(days=days), noon)
        )
    FeedSync.objects.update_or_create(
        feed=DataFeed.TICKETS, defaults={"synced_at": dt.datetime.combine(today - dt.timedelta(days=2), noon)}
    )


def _overrides(today: dt.date) -> None:
    """The manager's override of the largest green Enterprise account (ending within a week, so
    its "Override ends soon" CTA shows), and a TAM's request waiting on the next one."""
    manager = User.objects.get(username="manager")
    greens = list(
        Account.objects.filter(health_color=Color.GREEN, segment=Segment.ENTERPRISE).order_by("-arr", "pk")[:2]
    )
    if len(greens) < 2:
        return
    overrides.override_set(
        account=greens[0],
        color=Color.YELLOW,
        reason="Champion leaves at the end of the month; no new sponsor named yet.",
        expires_on=today + dt.timedelta(days=5),
        by=manager,
    )
    overrides.override_request(
        account=greens[1],
        color=Color.RED,
        reason="The customer announced a competitive evaluation on our last call.",
        expires_on=today + dt.timedelta(days=30),
        by=greens[1].tam,
    )


def _activity(rng: random.Random, account: Account, mood: str, today: dt.date) -> None:
    gap = {Color.GREEN: (5, 28), Color.YELLOW: (20, 70), Color.RED: (45, 140)}[mood]
    day = today - dt.timedelta(days=rng.randrange(*gap))
    meetings = []
    for n in range(rng.randrange(3, 9)):
        status = (
            MeetingStatus.HELD
            if rng.random() < {"green": 0.95, "yellow": 0.75, "red": 0.6}[mood]
            else (rng.choice([MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW]))
        )
        meetings.append(
            Meeting(
                account=account,
                external_id=f"M-{account.external_id}-{n}",
                date=day,
                kind=MeetingKind.EBR if n % 5 == 4 else MeetingKind.CADENCE,
                status=status,
                attendees="Customer platform team; TAM",
            )
        )
        day -= dt.timedelta(days=rng.randrange(14, 35))
    Meeting.objects.bulk_create(meetings)

    per_month = {Color.GREEN: (0, 5), Color.YELLOW: (3, 14), Color.RED: (8, 22)}[mood]
    tickets = []
    for n in range(rng.randrange(*per_month) * 3):
        opened = today - dt.timedelta(days=rng.randrange(0, 90))
        tickets.append(
            SupportTicket(
                account=account,
                external_id=f"ZD-{account.external_id}-{n}",
                subject=rng.choice(["Runner timeouts", "SSO login loop", "Upgrade question", "Slow pipelines"]),
                opened=opened,
                severity=rng.choice(TicketSeverity.values),
                status=TicketStatus.OPEN if opened > today - dt.timedelta(days=20) else TicketStatus.SOLVED,
            )
        )
    SupportTicket.objects.bulk_create(tickets)

    plan = rng.choices(
        [PlanStatus.ACTIVE, PlanStatus.DRAFT, None],
        weights={Color.GREEN: [80, 15, 5], Color.YELLOW: [40, 40, 20], Color.RED: [15, 35, 50]}[mood],
    )[0]
    if plan:
        SuccessPlan.objects.create(account=account, status=plan, title="FY27 success plan")

    # Sentiment history: an older read, sometimes drifting to today's temperament.
    older = rng.choice([mood, Color.GREEN]) if mood != Color.GREEN else Color.GREEN
    entries = [
        SentimentEntry(
            account=account,
            color=older,
            reason=rng.choice(REASONS[older]),
            author=account.tam,
            date=today - dt.timedelta(days=rng.randrange(60, 120)),
            source=SentimentSource.SCORECARD,
        )
    ]
    if rng.random() < 0.8:
        entries.append(
            SentimentEntry(
                account=account,
                color=mood,
                reason=rng.choice(REASONS[mood]),
                author=account.tam,
                date=today - dt.timedelta(days=rng.randrange(1, 80)),
                source=SentimentSource.SCORECARD,
            )
        )
    SentimentEntry.objects.bulk_create(entries)
