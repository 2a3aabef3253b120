"""Accounts and what the scorecard reads of them: meetings, tickets, success plans, sentiment, and
the scorecard configuration per segment."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

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
from healthscore import audit
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


class ScorecardConfig(models.Model):
    """The scorecard's weights, thresholds and bands for one segment, editable by admins."""

    segment = models.CharField(max_length=20, choices=Segment.choices, unique=True)

    weight_engagement = models.PositiveSmallIntegerField(default=10)
    weight_roi = models.PositiveSmallIntegerField("weight ROI", default=10)
    weight_support = models.PositiveSmallIntegerField(default=5)
    weight_sentiment = models.PositiveSmallIntegerField(default=75)

    # ARR tiers. Empty means the segment is not tiered (Enterprise): every account is fully measured.
    full_measure_arr_min = models.DecimalField(
        "full-measure ARR minimum",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="From this ARR up: engagement on the short limits, and ROI measured.",
    )
    engagement_arr_min = models.DecimalField(
        "engagement ARR minimum",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="From this ARR up to the full-measure minimum: engagement on the long limits. "
        "Below it engagement is not measured.",
    )
    engagement_green_days = models.PositiveSmallIntegerField(default=30)
    engagement_yellow_days = models.PositiveSmallIntegerField(default=60)
    engagement_long_green_days = models.PositiveSmallIntegerField(default=90)
    engagement_long_yellow_days = models.PositiveSmallIntegerField(default=120)

    support_window_days = models.PositiveSmallIntegerField(default=30)
    support_green_max = models.PositiveSmallIntegerField(default=5)
    support_yellow_max = models.PositiveSmallIntegerField(default=15)

    points_green = models.PositiveSmallIntegerField(default=100)
    points_yellow = models.PositiveSmallIntegerField(default=50)
    points_red = models.PositiveSmallIntegerField(default=0)

    green_min_score = models.PositiveSmallIntegerField(default=76)
    yellow_min_score = models.PositiveSmallIntegerField(default=51)

    # Confidence: how old each measure's data may be and still count as fresh. TAM Sentiment
    # uses the segment's out-of-date window (a month for Enterprise, a quarter for Commercial).
    confidence_meeting_days = models.PositiveSmallIntegerField(
        "confidence: meeting data age (days)",
        default=30,
        help_text="Engagement counts as fresh when a meeting was recorded for the account, or meetings "
        "were imported, within this many days.",
    )
    confidence_ticket_days = models.PositiveSmallIntegerField(
        "confidence: ticket sync age (days)",
        default=7,
        help_text="Support counts as fresh when tickets were imported (the ticket sync) within this many days.",
    )
    confidence_plan_days = models.PositiveSmallIntegerField(
        "confidence: success plan age (days)",
        default=90,
        help_text="ROI counts as fresh when a success plan of the account was touched within this many days.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    # Every change is kept: who, when, which values (Django admin: History).
    history = audit.history(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "scorecard configuration"
        constraints = [
            models.CheckConstraint(
                condition=Exact(
                    F("weight_engagement") + F("weight_roi") + F("weight_support") + F("weight_sentiment"), 100
                ),
                name="weights_sum_to_100",
            ),
            models.CheckConstraint(
                condition=Q(engagement_green_days__lt=F("engagement_yellow_days"))
                & Q(engagement_long_green_days__lt=F("engagement_long_yellow_days")),
                name="engagement_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(support_green_max__lt=F("support_yellow_max")), name="support_bands_ordered"
            ),
            models.CheckConstraint(
                condition=Q(points_red__lte=F("points_yellow"))
                & Q(points_yellow__lte=F("points_green"))
                & Q(points_green__lte=100),
                name="points_ordered",
            ),
            models.CheckConstraint(
                condition=Q(yellow_min_score__lt=F("green_min_score")) & Q(green_min_score__lte=100),
                name="color_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard for {self.get_segment_display()}"

    def clean(self):
        errors = {}
        total = self.weight_engagement + self.weight_roi + self.weight_support + self.weight_sentiment
        if total != 100:
            errors["weight_sentiment"] = f"The four weights must add up to 100 (they add up to {total})."
        if self.engagement_green_days >= self.engagement_yellow_days:
            errors["engagement_yellow_days"] = "Must be more than the green limit."
        if self.engagement_long_green_days >= self.engagement_long_yellow_days:
            errors["engagement_long_yellow_days"] = "Must be more than the green limit."
        if self.support_green_max >= self.support_yellow_max:
            errors["support_yellow_max"] = "Must be more than the green maximum."
        if not (self.points_red <= self.points_yellow <= self.points_green <= 100):
            errors["points_green"] = "Points must be ordered red ≤ yellow ≤ green ≤ 100."
        if not (self.yellow_min_score < self.green_min_score <= 100):
            errors["green_min_score"] = "The green band must start above the yellow band, at 100 at most."
        if (self.full_measure_arr_min is None) != (self.engagement_arr_min is None):
            errors["engagement_arr_min"] = "Set both ARR minimums, or neither (untiered segment)."
        elif self.full_measure_arr_min is not None and self.engagement_arr_min > self.full_measure_arr_min:
            errors["engagement_arr_min"] = "Must not be above the full-measure minimum."
        if errors:
            raise ValidationError(errors)


class ScorecardVersion(models.Model):
    """One applied scorecard configuration of a segment, kept for ever: snapshots name the version
    that produced them, so the history can say "rules changed" and show what changed."""

    segment = models.CharField(max_length=20, choices=Segment.choices)
    number = models.PositiveIntegerField()  # 1, 2, ... per segment
    # The rules as rules.Rules.as_dict() gives them (decimals as strings).
    values = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "scorecard version"
        ordering = ["segment", "-number"]
        constraints = [
            # Two admins applying at once cannot both create version N (the admin also locks).
            models.UniqueConstraint(fields=["segment", "number"], name="one_scorecard_version_number_per_segment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_segment_display()} scorecard, version {self.number}"

    def as_rules(self) -> rules.Rules:
        return rules.Rules.from_dict(self.values)
