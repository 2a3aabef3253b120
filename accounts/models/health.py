"""What the scoring engine writes: snapshots, the read model of the pages (the daily counts and the
live tally), the outbox of color changes, and the fanned-out scoring runs."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from accounts.choices import (
    Color,
    OverrideStatus,
    Region,
    Segment,
)
from accounts.models.accounts import Account
from accounts.scoring import rules
from healthscore import audit, clock
from healthscore.limits import SHORT_TEXT, bounded_text_field


class HealthSnapshot(models.Model):
    """One account's scorecard as of one date, with the inputs and per-measure detail behind it."""

    # No index of its own: the unique (account, date) index below leads with the account and
    # serves every lookup by account, and a second one would cost every daily write.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    date = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    color = models.CharField(max_length=10, choices=Color.choices, null=True)
    # {"engagement": {"color", "weight", "effective_weight", "detail"}, ...}
    measures = models.JSONField(default=dict)
    # The raw inputs (last meeting, ticket count, plan statuses, sentiment) and the config used.
    inputs = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)
    # The scorecard version whose rules produced it (null: scored before versions were kept, or
    # by rules no version records). No index: nothing looks snapshots up by version, and an
    # index would cost every daily upsert.
    config_version = models.ForeignKey(
        "accounts.ScorecardVersion", on_delete=models.PROTECT, null=True, blank=True, db_index=False, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        get_latest_by = "date"
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="one_snapshot_per_account_per_day"),
        ]
        indexes = [
            # Dashboard: the color distribution per week (COUNT(*) by date and color) and each
            # account's color a week ago (recent changes), both read from the index alone.
            models.Index(fields=["date", "color", "account"], name="snapshot_date_color_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account} on {self.date}: {self.score} ({self.color})"


class HealthTally(models.Model):
    """How many accounts, and how much ARR, have each overall color now, per region, segment, TAM
    and public sector: the dashboard's totals and breakdowns sum these rows instead of reading
    every account.

    Kept by the database itself (triggers on the accounts table, migration 0011): every insert,
    update and delete of an account, by any path (forms, admin, imports, the engine, raw SQL),
    appends its change (+1/-1 and its ARR) here in the same transaction, so the sums are always
    exact. Appending never waits for another writer (no shared row is updated), so the tally adds
    no lock and no deadlock; each full scoring run folds the rows back into one per group
    (accounts.scoring.counts.daily_counts_store). The fields are named as on Account, so the
    dashboard's filters apply to it as they are."""

    region = models.CharField(max_length=10, choices=Region.choices)
    segment = models.CharField(max_length=20, choices=Segment.choices)
    tam = models.IntegerField(null=True, blank=True)
    public_sector = models.BooleanField(default=False)
    health_color = models.CharField(max_length=10, null=True, blank=True)
    accounts = models.IntegerField(default=0)
    arr = models.DecimalField("ARR", max_digits=18, decimal_places=2, default=0)

    def __str__(self) -> str:
        return f"{self.accounts:+} {self.health_color or 'unscored'}"


class HealthDailyCount(models.Model):
    """How many accounts, and how much ARR, had each overall color on a day, per region, segment,
    TAM and public sector: written once per full scoring run (accounts.scoring.services), so the
    dashboard's weekly chart reads a few thousand rows instead of counting every snapshot.

    The fields are named as on Account, so the dashboard's filters apply to either. The TAM is a
    bare id, not a foreign key: a day's count keeps its team even when the user is deleted."""

    date = models.DateField()
    region = models.CharField(max_length=10, choices=Region.choices)
    segment = models.CharField(max_length=20, choices=Segment.choices)
    tam = models.IntegerField(null=True, blank=True)
    public_sector = models.BooleanField(default=False)
    health_color = models.CharField(max_length=10, choices=Color.choices, null=True, blank=True)
    accounts = models.PositiveIntegerField()
    arr = models.DecimalField("ARR", max_digits=18, decimal_places=2)

    class Meta:
        indexes = [
            # The weekly chart: the counts of a few dates, grouped by date and color.
            models.Index(fields=["date", "health_color"], name="daily_count_date_color"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.accounts} {self.health_color or 'unscored'}"


class HealthChange(models.Model):
    """The outbox: an account's overall color moved (accounts.events records and drains it)."""

    # Rows are created only by accounts.events.health_changes_record, in the same transaction
    # as the color change, and marked processed only by accounts.events' drain: each pending
    # row is handed to every registered consumer (notifications, triage) exactly once, in the
    # transaction that marks it processed (or settled unseen when it is not news).
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_changes")
    # "" when the account had no color (first score) or has none now.
    old_color = models.CharField(max_length=10, choices=Color.choices, blank=True)
    new_color = models.CharField(max_length=10, choices=Color.choices, blank=True)
    as_of = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Two scoring runs at once see the same change: the second insert is a no-op.
            models.UniqueConstraint(
                fields=["account", "as_of", "old_color", "new_color"], name="one_change_per_account_day_and_colors"
            ),
        ]
        indexes = [
            # The outbox drain: unprocessed changes, oldest first.
            models.Index(fields=["created_at"], condition=Q(processed_at__isnull=True), name="health_change_pending"),
            # An account's color since: its latest change into a color.
            models.Index(fields=["account", "new_color", "as_of"], name="health_change_since"),
            # The dashboard's recent changes: the changes of the last week.
            models.Index(fields=["as_of"], name="health_change_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.old_color or 'none'} -> {self.new_color or 'none'} on {self.as_of}"


class ScoringRun(models.Model):
    """A full re-score fanned out over Celery workers: one row per run, one chunk row per task."""

    as_of = models.DateField()
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    # Set once, by the chunk that completes the run (a compare-and-set): it enqueues the delivery.
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} as of {self.as_of} ({self.chunks_done}/{self.chunks_total})"


class ScoringChunk(models.Model):
    """One id range of a ScoringRun; done_at is set in the transaction that scored it."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_id"]
        constraints = [models.UniqueConstraint(fields=["run", "first_id"], name="one_chunk_per_run_and_start")]

    def __str__(self) -> str:
        return f"Run {self.run_id}: accounts {self.first_id}-{self.last_id}"


class HealthOverride(models.Model):
    """A person's overall color for an account in place of the computed one, with a reason, for
    at most 90 days: the scoring engine applies it while it is in force (rules.override_in_force)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="overrides")
    color = models.CharField(max_length=10, choices=Color.choices)
    reason = bounded_text_field(max_length=SHORT_TEXT)
    status = models.CharField(max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    # A request's starts_on is the day it was asked for; approving it starts it on that day.
    starts_on = models.DateField()
    expires_on = models.DateField(help_text="The last day the override holds.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Who put it in force (the manager who set or approved it): its owner, reminded before it ends.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Who ended it early (cancelled) or turned the request down (rejected), and when.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Every change is kept: who, when, what (Django admin: History; the account page lists them).
    history = audit.history()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One request or override open per account: the engine never has two to choose from.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=(OverrideStatus.PENDING, OverrideStatus.ACTIVE)),
                name="one_open_override_per_account",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=F("starts_on"))
                & Q(expires_on__lte=F("starts_on") + dt.timedelta(days=rules.OVERRIDE_MAX_DAYS)),
                name="override_lasts_90_days_at_most",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="override_has_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=OverrideStatus.ACTIVE) | Q(approved_at__isnull=False),
                name="active_override_is_approved",
            ),
        ]
        indexes = [
            # The engine's read per chunk: the accounts' active overrides (account id range).
            models.Index(fields=["account"], condition=Q(status=OverrideStatus.ACTIVE), name="override_active"),
            # The daily reminder: active overrides ending soon.
            models.Index(fields=["expires_on"], condition=Q(status=OverrideStatus.ACTIVE), name="override_expiring"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.color} until {self.expires_on} ({self.status})"

    def clean(self):
        super().clean()
        if not (self.reason or "").strip():
            raise ValidationError({"reason": "Say why the computed color is wrong."})
        if self.starts_on and self.expires_on:
            spread = (self.expires_on - self.starts_on).days
            if spread < 0 or spread > rules.OVERRIDE_MAX_DAYS:
                raise ValidationError(
                    {"expires_on": f"An override lasts from its start up to {rules.OVERRIDE_MAX_DAYS} days."}
                )

    @property
    def owner(self):
        """Who answers for it: the manager who set or approved it."""
        return self.approved_by

    def in_force_on(self, day: dt.date) -> bool:
        return self.status == OverrideStatus.ACTIVE and rules.override_in_force(self.starts_on, self.expires_on, day)

    def shown_status(self, day: dt.date | None = None) -> str:
        """The status in words on a day (today by default): an active override past its expiry
        date is expired."""
        day = day or clock.today()
        if self.status == OverrideStatus.ACTIVE and self.expires_on < day:
            return OverrideStatus.EXPIRED.label
        return self.get_status_display()
