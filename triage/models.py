"""Triage records and CTAs.

Handbook: health-assessment.md ("Triage CTA", "GitLab Account
Triage Project") and health-scores.md ("Customer Cadence").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, Color, Region, Segment
from healthscore.limits import LONG_TEXT, SHORT_TEXT, bounded_text_field


class Risk(models.TextChoices):
    """The triage issue's risk label, kept equal to the account's current health."""

    GREEN = "HS::Green", "HS::Green"
    YELLOW = "HS::Yellow", "HS::Yellow"
    RED = "HS::Red", "HS::Red"


RISK_FOR_COLOR = {Color.GREEN: Risk.GREEN, Color.YELLOW: Risk.YELLOW, Color.RED: Risk.RED}
COLOR_FOR_RISK = {risk: color for color, risk in RISK_FOR_COLOR.items()}


# The triage issue's region label: the account's region, or Commercial for Commercial accounts.
RegionLabel = models.TextChoices(
    "RegionLabel", [(region.name, (region.value, region.label)) for region in Region] + [("COMMERCIAL", "Commercial")]
)


def region_label_for(*, segment: str, region: str) -> str:
    return RegionLabel.COMMERCIAL if segment == Segment.COMMERCIAL else region


class Classification(models.TextChoices):
    EXPECTED_AVOIDABLE = "E&A", "E&A: Expected and Avoidable"
    EXPECTED_UNAVOIDABLE = "E&U", "E&U: Expected and Unavoidable"
    UNEXPECTED_AVOIDABLE = "U&A", "U&A: Unexpected and Avoidable"
    UNEXPECTED_UNAVOIDABLE = "U&U", "U&U: Unexpected and Unavoidable"


class RiskReason(models.TextChoices):
    LACK_OF_ADOPTION = "risk::lack of adoption", "risk::lack of adoption"
    PRODUCT_EXPERIENCE = "risk::product experience", "risk::product experience"
    LACK_OF_ENGAGEMENT = "risk::lack of engagement", "risk::lack of engagement"
    LOSS_OF_SPONSOR = "risk::loss of sponsor or champion", "risk::loss of sponsor or champion"
    CUSTOMER_SENTIMENT = "risk::customer sentiment", "risk::customer sentiment"
    OTHER_ORGANIZATIONAL = "risk::other organizational factors", "risk::other organizational factors"
    LACK_OF_BUDGET = "risk::lack of budget", "risk::lack of budget"
    COMPETITION = "risk::competition", "risk::competition"
    COVID_19 = "risk::covid-19", "risk::covid-19"


class TriageStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class TriageOrigin(models.TextChoices):
    AUTOMATIC = "automatic", "Opened automatically: health is red"
    CTA = "cta", "Opened from a Decide on triage CTA"
    MANUAL = "manual", "Opened by hand"


class TriageRecord(models.Model):
    """An account risk record, as in the Account Triage Project, with the handbook's labels."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="triage_records")
    status = models.CharField(max_length=10, choices=TriageStatus.choices, default=TriageStatus.OPEN)
    origin = models.CharField(max_length=10, choices=TriageOrigin.choices)
    risk = models.CharField(max_length=12, choices=Risk.choices, help_text="Kept in sync with the account's health.")
    region = models.CharField(max_length=12, choices=RegionLabel.choices)
    classification = models.CharField(max_length=3, choices=Classification.choices, blank=True)
    # A list of RiskReason values (one or more before closing).
    risk_reasons = models.JSONField("risk reasons", default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_triage_records",
        help_text="The account's TAM.",
    )
    plan = bounded_text_field(blank=True, max_length=LONG_TEXT, help_text="How the risks will be addressed.")
    resolution = bounded_text_field("resolution note", blank=True, max_length=LONG_TEXT)
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status=TriageStatus.OPEN), name="one_open_triage_per_account"
            ),
            models.CheckConstraint(
                condition=Q(status=TriageStatus.OPEN)
                | (~Q(classification="") & ~Q(resolution="") & Q(closed_on__isnull=False)),
                name="closed_triage_is_classified_and_resolved",
            ),
        ]
        indexes = [
            # The triage list: open records by risk.
            models.Index(fields=["status", "risk"], name="triage_status_risk"),
        ]

    def __str__(self) -> str:
        return f"Triage of {self.account} ({self.get_status_display()}, {self.risk})"

    @property
    def is_open(self) -> bool:
        return self.status == TriageStatus.OPEN

    def risk_reason_labels(self) -> list[str]:
        labels = dict(RiskReason.choices)
        return [labels.get(value, value) for value in self.risk_reasons]


class TriageUpdateKind(models.TextChoices):
    NOTE = "note", "Update"
    EDIT = "edit", "Labels or plan changed"
    RISK = "risk", "Risk changed"
    CLOSED = "closed", "Closed"


class TriageUpdate(models.Model):
    """One entry in a triage record's log: a TAM's update, or a change the app made."""

    triage = models.ForeignKey(TriageRecord, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=TriageUpdateKind.choices, default=TriageUpdateKind.NOTE)
    text = bounded_text_field(max_length=LONG_TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.triage_id}"


class CtaKind(models.TextChoices):
    DECIDE_TRIAGE = "decide_triage", "Decide on triage"
    CLOSE_TRIAGE = "close_triage", "Close triage?"
    UPDATE_HEALTH = "update_health", "Update health score"
    MISSED_CADENCE = "missed_cadence", "Missed cadence call"
    OVERRIDE_ENDING = "override_ending", "Override ends soon"


class CtaState(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


ACTIVE_CTA_STATES = (CtaState.OPEN, CtaState.SNOOZED)


class Cta(models.Model):
    """A call to action in a TAM's cockpit.

    `key` names the situation the CTA is about (the day the account turned yellow, the stale
    health date, the last cadence call...): a CTA is raised once per account, kind and key, so
    a dismissed or done CTA stays closed until the situation is a new one.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ctas")
    kind = models.CharField(max_length=20, choices=CtaKind.choices)
    key = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=CtaState.choices, default=CtaState.OPEN)
    detail = models.CharField(max_length=300, help_text="Why the CTA was raised.")
    triage = models.ForeignKey(TriageRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="ctas")
    opened_on = models.DateField()
    snoozed_until = models.DateField(null=True, blank=True)
    dismiss_reason = bounded_text_field(blank=True, max_length=SHORT_TEXT)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the app closed it.",
    )
    resolution = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CTA"
        ordering = ["opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=Q(state__in=ACTIVE_CTA_STATES),
                name="one_open_cta_per_account_and_kind",
            ),
            models.UniqueConstraint(fields=["account", "kind", "key"], name="one_cta_per_account_kind_and_key"),
            models.CheckConstraint(
                condition=(Q(state=CtaState.SNOOZED) & Q(snoozed_until__isnull=False))
                | (~Q(state=CtaState.SNOOZED) & Q(snoozed_until__isnull=True)),
                name="snoozed_cta_has_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=CtaState.DISMISSED) | (Q(kind=CtaKind.DECIDE_TRIAGE) & ~Q(dismiss_reason="")),
                name="only_decide_cta_is_dismissed_with_a_reason",
            ),
        ]
        indexes = [
            # The cockpit: a state's CTAs, oldest first.
            models.Index(fields=["state", "opened_on"], name="cta_state_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_CTA_STATES
