"""Demo data of the notes app, called by seed_demo after the accounts exist: product releases,
each account's signal data (licences, stages, deployment, version), feature requests,
sponsor/champion changes and risk assessments shaped by each account's health, and running
meeting notes (with action items carried over) for a few accounts per TAM."""

import datetime as dt
import random

from accounts.models import Account, Color
from healthscore import clock
from notes import services
from notes.models import (
    ChampionChange,
    ChampionChangeKind,
    ChampionRole,
    Deployment,
    FeatureRequest,
    FeatureRequestStatus,
    ProductRelease,
    RiskAssessment,
    RiskCategory,
    SignalData,
)

NOTED_ACCOUNTS_PER_TAM = 3
STAGES = ["plan", "create", "verify", "package", "secure", "release", "configure", "monitor", "govern"]
REQUESTS = [
    "SAML group sync for nested groups",
    "Merge request approvals per file path",
    "Runner autoscaling on our own cloud",
    "Custom fields on issues, like our old tracker",
    "Jira-style workflow states",
    "Audit event streaming to our SIEM",
    "Dependency proxy for private registries",
    "Scheduled pipeline quotas per group",
]
PEOPLE = ["Priya Raman", "Tom Becker", "Aiko Sato", "Luis Ortega", "Grace Kim", "Olu Adeyemi"]
NOTES = {
    "architecture_changes": [
        "Moving **runners** to Kubernetes (autoscaling with the Helm chart).",
        "Splitting the monolith repo into 12 projects under one group.",
        "New Geo secondary planned in APAC for the Singapore team.",
        "",
    ],
    "new_deployments": [
        "Security scanning enabled for the payments team.",
        "Two more business units onboarded: *data platform* and *mobile*.",
        "",
    ],
    "product_feedback": [
        "Love merge trains; pipeline editor is confusing for new users.",
        "- Wants better runner logs\n- Asked about AI code suggestions",
        "Frustrated that the upgrade to the latest release needs downtime.",
    ],
    "questions_answers": [
        "**Q:** How do we enforce approvals on protected branches?\n**A:** Approval rules per branch; sent docs.",
        "**Q:** Can we mirror from Bitbucket during migration?\n**A:** Yes, pull mirroring.",
        "",
    ],
    "health_business": [
        "Budget for next year approved; champion engaged.",
        "Reorg announced; sponsor's scope unclear.",
        "Evaluating a competitor for CI only.",
    ],
    "health_operational": [
        "Stable; no P1 incidents this month.",
        "Runner timeouts are hurting the nightly builds.",
        "Performance fine after the last upgrade.",
    ],
}
ACTIONS = [
    ("Share the upgrade guide and release notes", "TAM"),
    ("Book an architecture review with the SA", "TAM"),
    ("Send runner autoscaling config", "Customer platform lead"),
    ("Confirm EBR date with the sponsor", "SAL"),
    ("Open a ticket for the SSO login loop", "Customer admin"),
]


def seed(*, today: dt.date, rng: random.Random) -> None:
    """Fill the notes app's demo data (deterministic for a given rng)."""
    _releases(today)
    accounts = list(Account.objects.select_related("tam").order_by("pk"))
    signal_data, requests, changes, risks = [], [], [], []
    for account in accounts:
        mood = account.health_color or Color.GREEN
        signal_data.append(_signal_data(rng, account, mood))
        requests += _feature_requests(rng, account, mood, today)
        changes += _champion_changes(rng, account, mood, today)
        risks += _risks(rng, account, mood, today)
    SignalData.objects.bulk_create(signal_data)
    FeatureRequest.objects.bulk_create(requests)
    ChampionChange.objects.bulk_create(changes)
    RiskAssessment.objects.bulk_create(risks)

    noted: dict[int, int] = {}
    for account in accounts:
        if account.tam_id is None or noted.get(account.tam_id, 0) >= NOTED_ACCOUNTS_PER_TAM:
            continue
        noted[account.tam_id] = noted.get(account.tam_id, 0) + 1
        _notes_document(rng, account, today)


def _releases(today: dt.date) -> None:
    """Monthly minor releases, the latest one this month: 15.0 ... 17.10 (the demo accounts run
    14.x to 17.10)."""
    versions = [(15, m) for m in range(12)] + [(16, m) for m in range(12)] + [(17, m) for m in range(11)]
    releases = []
    for months_ago, (major, minor) in enumerate(reversed(versions)):
        released = today - dt.timedelta(days=5 + 30 * months_ago)
        releases.append(ProductRelease(major=major, minor=minor, released_on=released))
    ProductRelease.objects.bulk_create(releases, ignore_conflicts=True)


def _signal_data(rng, account, mood) -> SignalData:
    """Healthy accounts use most of their licences and many stages; red ones run old versions."""
    self_managed = rng.random() < 0.5
    purchased = rng.randrange(50, 5000)
    return SignalData(
        account=account,
        deployment=Deployment.SELF_MANAGED if self_managed else Deployment.SAAS,
        licences_purchased=purchased,
        licences_used=int(purchased * {Color.GREEN: 0.9, Color.YELLOW: 0.6, Color.RED: 0.35}[mood]),
        product_stages=sorted(rng.sample(STAGES, {Color.GREEN: 5, Color.YELLOW: 2, Color.RED: 1}[mood])),
        current_version=(
            f"{rng.choice([17, 17, 16, 15] if mood != Color.RED else [15, 14])}.{rng.randrange(0, 11)}"
            if self_managed
            else ""
        ),
    )


def _feature_requests(rng, account, mood, today) -> list[FeatureRequest]:
    count, important_share = {Color.GREEN: (2, 0.2), Color.YELLOW: (4, 0.5), Color.RED: (6, 0.7)}[mood]
    rows = []
    for n, title in enumerate(rng.sample(REQUESTS, rng.randrange(0, count + 1))):
        rows.append(
            FeatureRequest(
                account=account,
                external_id=f"FR-{account.external_id}-{n}",
                title=title,
                important=rng.random() < important_share,
                status=rng.choices(list(FeatureRequestStatus), weights=[75, 20, 5])[0],
                opened=today - dt.timedelta(days=rng.randrange(10, 400)),
            )
        )
    return rows


def _champion_changes(rng, account, mood, today) -> list[ChampionChange]:
    if rng.random() >= {Color.GREEN: 0.05, Color.YELLOW: 0.3, Color.RED: 0.6}[mood]:
        return []
    left = today - dt.timedelta(days=rng.randrange(10, 150))
    rows = [
        ChampionChange(
            account=account,
            external_id=f"CC-{account.external_id}-0",
            person=rng.choice(PEOPLE),
            role=rng.choice(list(ChampionRole)),
            change=rng.choice([ChampionChangeKind.LEFT, ChampionChangeKind.MOVED, ChampionChangeKind.REDUCED]),
            date=left,
        )
    ]
    if rng.random() < 0.4:
        rows.append(
            ChampionChange(
                account=account,
                external_id=f"CC-{account.external_id}-1",
                person=rng.choice(PEOPLE),
                role=rows[0].role,
                change=ChampionChangeKind.NEW,
                date=min(today, left + dt.timedelta(days=rng.randrange(5, 40))),
            )
        )
    return rows


def _risks(rng, account, mood, today) -> list[RiskAssessment]:
    if mood == Color.GREEN and rng.random() < 0.8:
        return []
    picks = {Color.GREEN: 0, Color.YELLOW: rng.randrange(1, 3), Color.RED: rng.randrange(2, 4)}[mood]
    categories = set(rng.sample(RiskCategory.values, picks))
    return [
        RiskAssessment(
            account=account,
            author=account.tam,
            date=today - dt.timedelta(days=rng.randrange(1, 40)),
            note="Discussed with the SAL." if categories else "No risks in view.",
            **{c: c in categories for c in RiskCategory.values},
        )
    ]


def _notes_document(rng, account, today) -> None:
    """Two to four entries, oldest first, each ticking off some of the open action items."""
    count = rng.randrange(2, 5)
    day = min(today, clock.today()) - dt.timedelta(days=rng.randrange(1, 15))
    dates = sorted(day - dt.timedelta(days=sum(rng.randrange(14, 32) for _ in range(i))) for i in range(count))
    for date in dates:
        open_items = list(account.action_items.filter(done=False).values_list("pk", flat=True))
        actions = rng.sample(ACTIONS, rng.randrange(1, 3))
        services.note_create(
            account=account,
            by=account.tam,
            date=date,
            attendees="Customer platform team; TAM; SAL",
            sections=services.NoteSections(
                action_item_updates="Went through last meeting's items." if open_items else "",
                **{name: rng.choice(texts) for name, texts in NOTES.items()},
            ),
            done_items=[pk for pk in open_items if rng.random() < 0.6],
            new_items=[
                services.NewActionItem(text=text, owner=owner, due=date + dt.timedelta(days=rng.randrange(7, 30)))
                for text, owner in actions
            ],
        )
