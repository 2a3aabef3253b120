"""Renewal outcomes: what happened at each renewal, the facts the scorecard is tested against."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Account
from healthscore import audit
from quality.rules import arr_problem


class Outcome(models.TextChoices):
    RENEWED = "renewed", "Renewed"
    EXPANDED = "expanded", "Expanded"
    DOWNSELL = "downsell", "Downsell"
    CHURNED = "churned", "Churned"


class RenewalOutcome(models.Model):
    """One renewal of one account: its date, what happened, and the ARR after it."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="renewal_outcomes")
    date = models.DateField("renewal date")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    arr = models.DecimalField(
        "ARR after the renewal",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="0 for a churned account.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Every change is kept: who, when, which values (Django admin: History).
    history = audit.history()

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="one_outcome_per_account_and_date"),
            # A churned account keeps no ARR; every other outcome keeps some.
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.CHURNED, arr=0) | (~Q(outcome=Outcome.CHURNED) & Q(arr__gt=0))),
                name="churned_means_zero_arr",
            ),
        ]
        indexes = [
            # The Scorecard quality page: the renewals of a period (one range scan per horizon).
            models.Index(fields=["date", "account"], name="outcome_date_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_outcome_display()} on {self.date}"

    def clean(self):
        if problem := arr_problem(self.outcome, self.arr):
            raise ValidationError({"arr": f"The ARR after the renewal {problem}."})
