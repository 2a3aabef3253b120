"""Accounts and what the scorecard reads of them: meetings, tickets, success plans, sentiment and
the feeds' syncs (the scorecard's configuration is in scorecard.py)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F

from accounts.choices import (
    Color,
    DataFeed,
    MeetingKind,
    MeetingStatus,
    PlanStatus,
    Region,
    Segment,
    SentimentSource,
    TicketSeverity,
    TicketStatus,
)
from accounts.scoring import rules
from healthscore.limits import LONG_TEXT, SHORT_TEXT, bounded_text_field


class Account(models.Model):
    """A customer account, its account team, and its current health (kept by the scoring service)."""

    external_id = models.CharField(
        "CRM id",
        max_length=64,
        unique=True,
        # The id is part of the account's page address.
        validators=[RegexValidator(r"^[A-Za-z0-9._-]+$", "Use only letters, digits, '.', '_' and '-'.")],
    )
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=20, choices=Segment.choices)
    arr = models.DecimalField("ARR", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    region = models.CharField(max_length=10, choices=Region.choices)
    public_sector = models.BooleanField(default=False)
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="TAM",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tam_accounts",
    )
    sal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="SAL / AE",
        help_text="Strategic Account Leader or Account Executive.",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sal_accounts",
    )
    solutions_architect = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="SA",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sa_accounts",
    )
    onboarding = models.BooleanField(default=False, help_text="In the onboarding phase: cadence calls are due weekly.")
    renewal_date = models.DateField(null=True, blank=True)

    # Current health: written only by the scoring engine (accounts.scoring.services); the health
    # date also by accounts.services.sentiment_update (a TAM's update or confirmation).
    # Kept on the account so the list and the dashboard filter and sort without a join.
    health_color = models.CharField(max_length=10, choices=Color.choices, null=True, blank=True)
    health_score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    health_date = models.DateField(
        "Customer Health Score Date",
        null=True,
        blank=True,
        help_text="When the overall color last changed or the TAM confirmed it.",
    )
    scored_on = models.DateField(null=True, blank=True, help_text="As-of date of the latest snapshot.")
    # What the lists show beside the color, kept by the engine with it (the read model), so no
    # page reads meetings or sentiment per row: the latest held meeting on or before scored_on,
    # the sentiment in force then, and the TAM's latest written reason.
    last_meeting_on = models.DateField("Last held meeting", null=True, blank=True)
    sentiment_color = models.CharField(max_length=10, choices=Color.choices, null=True, blank=True)
    sentiment_reason = bounded_text_field(blank=True, default="", max_length=SHORT_TEXT)
    # How much of the score rests on fresh data (rules.confidence), kept by the engine with it.
    health_confidence = models.PositiveSmallIntegerField(
        "confidence",
        null=True,
        blank=True,
        help_text="Share of the score's weight backed by fresh data, in percent.",
    )

    # Overrides (accounts.models.health.HealthOverride), kept by the engine with the color: the
    # scorecard's own color, and while an override is in force (health_color is then its color)
    # until when, who put it in force and why, so every list marks it without a join. Nullable:
    # SQLite adds such columns in place, keeping the tally's triggers.
    computed_color = models.CharField(max_length=10, choices=Color.choices, null=True, blank=True)
    override_until = models.DateField(null=True, blank=True)
    override_by = models.CharField(max_length=150, null=True, blank=True)
    override_reason = bounded_text_field(null=True, blank=True, max_length=SHORT_TEXT)
    # Why the account has its color (its yellow and red measures, the TAM's reason) and why its
    # confidence is not 100 %, one reason per line (rules.health_reasons, rules.reasons_text), as
    # of scored_on like the rest: the dashboard's list and CSV read them here, not from a snapshot.
    health_reasons = bounded_text_field(null=True, blank=True, max_length=LONG_TEXT)
    confidence_reasons = bounded_text_field(null=True, blank=True, max_length=SHORT_TEXT)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # The risk dashboard filters by color, region and segment.
            models.Index(fields=["health_color", "region", "segment"], name="account_risk_filter"),
            # "My accounts": a TAM's accounts sorted by risk.
            models.Index(fields=["tam", "health_score"], name="account_tam_risk"),
            # The dashboard's list, riskiest first: lowest score, largest ARR (the page's ids
            # come from this index in order, no sort of every account).
            models.Index("health_score", F("arr").desc(), "id", name="account_riskiest_first"),
            # The dashboard's stale counts: the accounts whose health date is before their
            # segment's cut-off (or missing), read from the index, not from every account.
            models.Index(fields=["segment", "health_date"], name="account_stale"),
            # Renewals and "ARR renewing in 90 days at risk": the accounts renewing soon only.
            models.Index(fields=["renewal_date"], name="account_renewal"),
            # The lists' "confidence below N %" filter and "lowest confidence first" sort
            # (listing.sort_order: the column, then the id): the page's ids in order from the
            # index, no sort of every account.
            models.Index(fields=["health_confidence", "id"], name="account_confidence"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_overridden(self) -> bool:
        """An override sets the overall color now (the engine keeps override_until)."""
        return self.override_until is not None


class Meeting(models.Model):
    """A call or meeting with the customer; only held ones count for Engagement."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="meetings")
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.CADENCE)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    attendees = models.CharField(max_length=500, blank=True)
    summary = bounded_text_field(blank=True, max_length=LONG_TEXT)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # Engagement: the latest held meeting on or before a date, per account.
            models.Index(fields=["account", "status", "date"], name="meeting_last_held"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.account} on {self.date}"


class SupportTicket(models.Model):
    """A helpdesk ticket; tickets opened in the last 30 days make the Support measure."""

    OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tickets")
    external_id = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=300, blank=True)
    opened = models.DateField()
    severity = models.CharField(max_length=10, choices=TicketSeverity.choices, default=TicketSeverity.NORMAL)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    closed = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened", "-id"]
        indexes = [
            # Support: tickets opened in a window, per account.
            models.Index(fields=["account", "opened"], name="ticket_window"),
        ]

    def __str__(self) -> str:
        return self.external_id


class SuccessPlan(models.Model):
    """A customer success plan; an active one makes ROI green, a draft one yellow."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="success_plans")
    # Imports without an id keep one plan per account under the empty id.
    external_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="one_plan_per_account_and_id"),
        ]

    def __str__(self) -> str:
        return f"{self.account} plan ({self.status})"


class SentimentEntry(models.Model):
    """The TAM's qualitative read of the account (75 % of the score)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sentiments")
    color = models.CharField(max_length=10, choices=Color.choices)
    reason = bounded_text_field(blank=True, max_length=SHORT_TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    source = models.CharField(max_length=20, choices=SentimentSource.choices, default=SentimentSource.SCORECARD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = list(rules.SENTIMENT_NEWEST_FIRST)
        verbose_name_plural = "sentiment entries"
        indexes = [
            # TAM Sentiment: the latest entry on or before a date, per account.
            models.Index(fields=["account", "date", "created_at"], name="sentiment_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.color} on {self.date}"


class FeedSync(models.Model):
    """When a feed of score inputs (meetings, tickets) was last imported, whatever it changed:
    an import that finds nothing new still says the data is current (the confidence rule)."""

    feed = models.CharField(max_length=20, choices=DataFeed.choices, unique=True)
    synced_at = models.DateTimeField()

    class Meta:
        verbose_name = "feed sync"

    def __str__(self) -> str:
        return f"{self.get_feed_display()} synced at {self.synced_at:%Y-%m-%d %H:%M}"
