"""The daily pipeline's record of each day: which steps are done, and who is running it."""

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
