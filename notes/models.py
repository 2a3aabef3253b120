"""Models of the notes app: the running meeting notes and the data behind the health signals.

Meeting notes are sensitive (account team, managers and admins only): their text never goes
into `__str__`, URLs, logs, emails or exports. Every `__str__` here names the account and a
date or an id, never note text, because Django's admin history and error pages print it.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Account, Meeting
from healthscore.limits import LONG_TEXT, bounded_text_field

# The text sections of an entry, in the handbook's agenda order. Search covers all of them.
SECTION_FIELDS = (
    "action_item_updates",
    "architecture_changes",
    "new_deployments",
    "product_feedback",
    "support_review",
    "questions_answers",
    "health_business",
    "health_operational",
)
# Full-text search on PostgreSQL; the GIN index below is built from the same expression so the
# planner can use it ("english" is fixed so that to_tsvector is immutable and indexable).
SEARCH_CONFIG = "english"
# The risk note's form has always taken this much.
RISK_NOTE_MAX_LENGTH = 4_000


def note_search_vector() -> SearchVector:
    return SearchVector(*SECTION_FIELDS, config=SEARCH_CONFIG)


class NoteEntry(models.Model):
    """One meeting's entry in an account's running notes ("<Account> - Meeting Notes")."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="note_entries")
    # The held meeting this entry records (feeds Engagement). PROTECT: deleting a meeting in the
    # admin must not silently delete the notes taken in it.
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="note_entry")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    action_item_updates = bounded_text_field("updates on action items", blank=True, max_length=LONG_TEXT)
    architecture_changes = bounded_text_field("architectural changes", blank=True, max_length=LONG_TEXT)
    new_deployments = bounded_text_field(blank=True, max_length=LONG_TEXT)
    product_feedback = bounded_text_field(blank=True, max_length=LONG_TEXT)
    support_review = bounded_text_field("review of open support tickets", blank=True, max_length=LONG_TEXT)
    questions_answers = bounded_text_field("Q&A", blank=True, max_length=LONG_TEXT)
    health_business = bounded_text_field("health from a business standpoint", blank=True, max_length=LONG_TEXT)
    health_operational = bounded_text_field("health from an operational standpoint", blank=True, max_length=LONG_TEXT)

    # Each section's sanitized HTML, rendered once when the entry is saved (notes.rendering):
    # pages show it as stored, so no view of a note pays for Markdown again.
    sections_html = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by a correction of the text (services.note_update); the earlier text and who replaced it
    # are a NoteEntryVersion. A plain column: SQLite drops it without rebuilding the table.
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "meeting note entry"
        verbose_name_plural = "meeting note entries"
        indexes = [
            # Notes search on PostgreSQL (selectors.entries_search); created on PostgreSQL only.
            GinIndex(note_search_vector(), name="note_entry_search"),
        ]

    def __str__(self) -> str:
        return f"Meeting note #{self.pk} for {self.account}"


class NoteEntryVersion(models.Model):
    """An earlier text of a meeting note entry, kept when the entry is corrected."""

    entry = models.ForeignKey(NoteEntry, on_delete=models.CASCADE, related_name="versions")
    attendees = models.CharField(max_length=500, blank=True)
    # The sections as they read then: {section name: Markdown text}.
    sections = models.JSONField(default=dict)
    # Who had written this text (the author, or the previous editor) and when.
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"Earlier version of {self.entry}"


class ActionItem(models.Model):
    """An action item agreed in a meeting; open ones carry into the next entry."""

    entry = models.ForeignKey(NoteEntry, on_delete=models.CASCADE, related_name="action_items")
    # Denormalised from entry.account so "the account's open items" is one indexed query.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField("action item", max_length=500)
    owner = models.CharField(max_length=200, help_text="Who does it: a person at the customer or on our side.")
    due = models.DateField("due date", null=True, blank=True)
    done = models.BooleanField(default=False)
    # The entry in whose meeting the item was reported done (None while open).
    done_in = models.ForeignKey(
        NoteEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="items_done_here"
    )

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done=True) | Q(done_in__isnull=True), name="action_item_open_has_no_done_entry"
            ),
        ]
        indexes = [
            # The new-entry form: the account's open items.
            models.Index(fields=["account", "done"], name="action_item_open"),
        ]

    def __str__(self) -> str:
        return f"Action item #{self.pk} for {self.account}"


class RiskCategory(models.TextChoices):
    """The handbook's six customer health categories (health-assessment.md)."""

    PRODUCT_ADOPTION = "product_adoption", "Product adoption and utilization"
    PRODUCT_EXPERIENCE = "product_experience", "Product experience"
    CUSTOMER_ENGAGEMENT = "customer_engagement", "Customer engagement"
    SPONSOR_OR_CHAMPION = "sponsor_or_champion", "Executive sponsor or champion"
    CUSTOMER_SENTIMENT = "customer_sentiment", "Customer sentiment"
    ORGANIZATIONAL_FACTORS = "organizational_factors", "Other organizational factors"


# The risk categories in force: the newest assessment (by date, then by when it was saved).
RISK_NEWEST_FIRST = ["-date", "-created_at", "-pk"]


class RiskAssessment(models.Model):
    """The TAM's view of which risk categories apply, as of a date; the latest is current, older
    ones are the history."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="risk_assessments")
    # One column per category (named after RiskCategory's values) so any page can filter on them.
    product_adoption = models.BooleanField(RiskCategory.PRODUCT_ADOPTION.label, default=False)
    product_experience = models.BooleanField(RiskCategory.PRODUCT_EXPERIENCE.label, default=False)
    customer_engagement = models.BooleanField(RiskCategory.CUSTOMER_ENGAGEMENT.label, default=False)
    sponsor_or_champion = models.BooleanField(RiskCategory.SPONSOR_OR_CHAMPION.label, default=False)
    customer_sentiment = models.BooleanField(RiskCategory.CUSTOMER_SENTIMENT.label, default=False)
    organizational_factors = models.BooleanField(RiskCategory.ORGANIZATIONAL_FACTORS.label, default=False)
    note = bounded_text_field(blank=True, max_length=RISK_NOTE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = RISK_NEWEST_FIRST
        indexes = [
            # The account page: the latest assessment per account.
            models.Index(fields=["account", "date", "created_at"], name="risk_latest"),
        ]

    def __str__(self) -> str:
        return f"Risk assessment of {self.account} on {self.date}"

    @property
    def categories(self) -> list[str]:
        return [c.value for c in RiskCategory if getattr(self, c.value)]

    @property
    def category_labels(self) -> list[str]:
        return [c.label for c in RiskCategory if getattr(self, c.value)]


class Deployment(models.TextChoices):
    SAAS = "saas", "SaaS"
    SELF_MANAGED = "self_managed", "Self-managed"


class SignalData(models.Model):
    """An account's data behind the utilization and upgrade signals (no row: the defaults)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="signal_data")
    deployment = models.CharField(max_length=20, choices=Deployment.choices, default=Deployment.SAAS)
    licences_purchased = models.PositiveIntegerField(default=0)
    licences_used = models.PositiveIntegerField(default=0)
    product_stages = models.JSONField(
        default=list, blank=True, help_text='Product stages in use, e.g. ["create", "verify"].'
    )
    current_version = models.CharField(
        max_length=20, blank=True, help_text="Self-managed only: the version the customer runs, e.g. 16.4."
    )

    class Meta:
        verbose_name = "signal data"
        verbose_name_plural = "signal data"

    def __str__(self) -> str:
        return f"Signal data of {self.account}"


class FeatureRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    DELIVERED = "delivered", "Delivered"
    DECLINED = "declined", "Declined"


class FeatureRequest(models.Model):
    """A feature request the customer raised; open "important" ones feed the signal."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="feature_requests")
    # The id in the issue tracker or CRM; imports match on it. Empty for requests typed in here.
    external_id = models.CharField("id", max_length=64, blank=True, default="")
    title = models.CharField(max_length=300)
    important = models.BooleanField(default=False, help_text="The customer calls it important (or a blocker).")
    status = models.CharField(max_length=10, choices=FeatureRequestStatus.choices, default=FeatureRequestStatus.OPEN)
    opened = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-important", "status", "-opened", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="feature_request_unique_external_id"
            ),
        ]
        indexes = [
            # The signal: open important requests per account.
            models.Index(fields=["account", "status", "important"], name="feature_request_signal"),
        ]

    def __str__(self) -> str:
        return self.title


class ChampionRole(models.TextChoices):
    CHAMPION = "champion", "Champion"
    SPONSOR = "sponsor", "Executive sponsor"


class ChampionChangeKind(models.TextChoices):
    LEFT = "left", "Left the company"
    MOVED = "moved", "Moved to another part of the organization"
    REDUCED = "reduced", "Reduced scope of influence"
    NEW = "new", "New in the role"


class ChampionChange(models.Model):
    """A change of the customer's executive sponsor or champion (handbook risk category 4)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="champion_changes")
    external_id = models.CharField("id", max_length=64, blank=True, default="")
    person = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=ChampionRole.choices, default=ChampionRole.CHAMPION)
    change = models.CharField(max_length=10, choices=ChampionChangeKind.choices)
    date = models.DateField()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="champion_change_unique_external_id"
            ),
        ]
        indexes = [
            # The signal: recent changes per account.
            models.Index(fields=["account", "date"], name="champion_change_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} change at {self.account} on {self.date}"


class ProductRelease(models.Model):
    """A released major.minor version of the product; the highest one is "the latest release"
    that self-managed accounts are compared against. Configured in the admin."""

    major = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    minor = models.PositiveSmallIntegerField()
    released_on = models.DateField()

    class Meta:
        ordering = ["-major", "-minor"]
        constraints = [
            models.UniqueConstraint(fields=["major", "minor"], name="one_release_per_version"),
        ]

    def __str__(self) -> str:
        return self.version

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"
