"""The daily pipeline's record of each day, and the audit trail of people's access (RoleChange)."""

from django.conf import settings
from django.db import models


class DailyRun(models.Model):
    """One day's run of the daily pipeline (healthscore.pipeline.daily_run_resume)."""

    day = models.DateField(unique=True)
    # Names of the steps that finished for the day, in the order they did.
    steps_done = models.JSONField(default=list, blank=True)
    # A runner holds the day until then, renewing it as it works; a killed runner's hold expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Daily run of {self.day}"


class RoleChange(models.Model):
    """One grant or removal of a person's access: a role group, or the superuser/staff/active flag."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The names are kept beside the keys: the trail outlives a deleted user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    # A group's name (TAM, Manager, Admin, ...) or "superuser", "staff", "active".
    role = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_username = models.CharField(max_length=150, blank=True, help_text="Empty: no person (a command, a task).")
    # "admin", "web", "sso", "system", "existing" (held when auditing began).
    via = models.CharField(max_length=20)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # A person's trail, newest first (the admin's filter by user).
            models.Index(fields=["username", "-at"], name="rolechange_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.action} for {self.username} at {self.at:%Y-%m-%d %H:%M}"
