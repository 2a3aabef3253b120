"""The scorecard's configuration per segment (weights, thresholds, freshness), and each version of
it that was in force (snapshots name the version that scored them)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

from accounts.choices import Segment
from accounts.scoring import rules
from healthscore import audit


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
