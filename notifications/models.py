"""Who is told about a health change, and what they were told: role assignments and notifications.

Handbook: health-assessment.md ("Communication Guidelines").
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.models import Account, Color, HealthChange, Region
from healthscore import audit
from healthscore.limits import SHORT_TEXT, bounded_text_field


class NotifyRole(models.TextChoices):
    """The people the handbook's Communication Guidelines name, beyond the account team."""

    REGIONAL_TAM_MANAGER = "regional_tam_manager", "Regional TAM Manager"
    TAM_DIRECTOR = "tam_director", "TAM Director"
    DIRECTOR_CS_PUBLIC_SECTOR = "director_cs_public_sector", "Director of Customer Success Public Sector"
    AREA_SALES_MANAGER = "area_sales_manager", "Area Sales Manager"
    REGIONAL_DIRECTOR = "regional_director", "Regional Director"
    VP_CUSTOMER_SUCCESS = "vp_customer_success", "Vice President of Customer Success"


# Held per region; the others are held once for the whole company.
REGIONAL_ROLES = (NotifyRole.REGIONAL_TAM_MANAGER, NotifyRole.AREA_SALES_MANAGER, NotifyRole.REGIONAL_DIRECTOR)


class RoleAssignment(models.Model):
    """Who holds a notified role (per region for the regional ones), as configured by an admin."""

    role = models.CharField(max_length=40, choices=NotifyRole.choices)
    region = models.CharField(
        max_length=10,
        choices=Region.choices,
        blank=True,
        help_text="Required for Regional TAM Manager, Area Sales Manager and Regional Director; empty otherwise.",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_roles")

    # Every change is kept: who, when, which values (Django admin: History).
    history = audit.history()

    class Meta:
        ordering = ["role", "region", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["role", "region", "user"], name="one_assignment_per_role_region_user"),
            models.CheckConstraint(
                condition=(Q(role__in=REGIONAL_ROLES) & ~Q(region="")) | (~Q(role__in=REGIONAL_ROLES) & Q(region="")),
                name="region_only_for_regional_roles",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.region})" if self.region else ""
        return f"{self.get_role_display()}{where}: {self.user}"

    def clean(self):
        if self.role in REGIONAL_ROLES and not self.region:
            raise ValidationError({"region": "This role is held per region: choose one."})
        if self.role and self.role not in REGIONAL_ROLES and self.region:
            raise ValidationError({"region": "This role is not regional: leave the region empty."})


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    # Claimed by a sender at `emailed_at` and being sent outside any transaction; a claim older
    # than notifications.services.EMAIL_CLAIM_SECONDS was abandoned (a killed worker) and is sent again.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    NO_ADDRESS = "no_address", "No email address"
    FAILED = "failed", "Failed (gave up)"


class Notification(models.Model):
    """One person told about one health change: an in-app item and an email (the sent-log)."""

    change = models.ForeignKey(HealthChange, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    old_color = models.CharField(max_length=10, choices=Color.choices, blank=True)
    new_color = models.CharField(max_length=10, choices=Color.choices)
    roles = models.CharField(max_length=300, help_text="Why this person is told, e.g. 'SAL / AE'.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    # When it was sent (sent), or claimed for sending (sending).
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = bounded_text_field(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["change", "recipient"], name="one_notification_per_change_and_recipient"),
            models.CheckConstraint(
                condition=~Q(email_status=EmailStatus.SENT) | Q(emailed_at__isnull=False),
                name="sent_notification_has_a_time",
            ),
        ]
        indexes = [
            # The unread count in the navigation.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # The email sending: emails still to send.
            models.Index(
                fields=["created_at"], condition=Q(email_status=EmailStatus.PENDING), name="notification_email_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} is {self.new_color}: {self.recipient}"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "An email for each notification, at once"
    DIGEST = "digest", "One daily digest email"


class EmailPreference(models.Model):
    """How one person wants notification emails: each at once (the default), or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_email_preference"
    )
    mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mode_display()}"
