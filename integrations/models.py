"""The GitLab issue that mirrors each triage record (docs/integrations.md)."""

from django.db import models
from django.db.models import Q

from accounts.models import Account


class SyncState(models.TextChoices):
    PENDING = "pending", "Pending"
    SYNCED = "synced", "Synced"
    FAILED = "failed", "Failed"


class GitlabIssue(models.Model):
    """A triage record's issue in the GitLab Account Triage project, and how its sync is doing.

    Keyed by the triage record's id rather than a foreign key: the integrations app does not
    depend on the triage app (they meet in accounts.mirrors); the account's foreign key removes
    the row with the account (and so with its records).
    """

    triage_record_id = models.PositiveBigIntegerField(unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="gitlab_issues")
    # Stored the moment GitLab answers a create, before anything else: a retry updates this
    # issue and never creates a second one.
    iid = models.PositiveIntegerField("issue number", null=True, blank=True)
    web_url = models.URLField("issue link", max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.PENDING)
    last_error = models.CharField(max_length=300, blank=True, help_text="Why the last attempt failed.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed attempts since the last success.")
    # Bumped by every change to sync: a sync that started before a change does not mark it synced.
    version = models.PositiveIntegerField(default=1)
    synced_fingerprint = models.CharField(max_length=64, blank=True, help_text="Hash of what GitLab last accepted.")
    closed_in_gitlab = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A sync in progress holds the row until then (a worker killed mid-sync lets go by itself).
    lease_until = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GitLab issue"
        ordering = ["-triage_record_id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="synced") | Q(iid__isnull=False), name="synced_gitlab_issue_has_iid"
            ),
        ]
        indexes = [
            # The sweep: pending rows whose next attempt is due.
            models.Index(fields=["state", "next_attempt_at"], name="gitlab_issue_state_due"),
        ]

    def __str__(self) -> str:
        where = f"#{self.iid}" if self.iid else "not created yet"
        return f"GitLab issue {where} for triage record {self.triage_record_id}"

    @property
    def status_text(self) -> str:
        """What the record page and the account page say about the sync."""
        if self.state == SyncState.FAILED:
            return f"GitLab sync failed: {self.last_error}"
        if self.state == SyncState.PENDING:
            if self.last_error:
                return f"GitLab sync pending (retrying after: {self.last_error})"
            return "GitLab sync pending"
        return f"GitLab issue #{self.iid}"
