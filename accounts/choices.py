"""The account app's choices: plain value sets, importable by the pure scoring rules (no ORM)."""

from django.db import models


class Color(models.TextChoices):
    GREEN = "green", "Green"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    COMMERCIAL = "commercial", "Commercial"


class Region(models.TextChoices):
    US_WEST = "US-WEST", "US-WEST"
    US_EAST = "US-EAST", "US-EAST"
    EMEA = "EMEA", "EMEA"
    APAC = "APAC", "APAC"
    LATAM = "LATAM", "LATAM"


class MeetingKind(models.TextChoices):
    CADENCE = "cadence", "Cadence call"
    EBR = "ebr", "EBR"
    ONBOARDING = "onboarding", "Onboarding"
    OTHER = "other", "Other"


class MeetingStatus(models.TextChoices):
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class TicketSeverity(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class SentimentSource(models.TextChoices):
    ACCOUNT_LIST = "account_list", "My accounts"
    SCORECARD = "scorecard", "Scorecard"
    ACTIVITY = "activity", "Logged activity"
    MEETING_NOTE = "meeting_note", "Meeting note"
    CONFIRMATION = "confirmation", "Confirmed current"
    IMPORT = "import", "Import"
    ADMIN = "admin", "Admin"


class DataFeed(models.TextChoices):
    """An outside feed of score inputs whose last sync says how fresh its data is (confidence)."""

    MEETINGS = "meetings", "Meetings"
    TICKETS = "tickets", "Support tickets"


class OverrideStatus(models.TextChoices):
    """An override's life: a TAM's request waits for a manager; an override in force is active
    until its expiry date has passed (then it is expired, by date, see rules.override_in_force),
    or until someone cancels it."""

    PENDING = "pending", "Requested"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
