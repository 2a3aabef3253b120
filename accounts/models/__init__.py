"""The accounts app's models, one module per concern (accounts.py: the accounts and what the
scorecard reads; scorecard.py: its configuration and versions; health.py: what the scoring engine
writes). The value sets of accounts.choices
are re-exported here, where callers have always found them."""

from accounts.choices import (
    Color,
    DataFeed,
    MeetingKind,
    MeetingStatus,
    OverrideStatus,
    PlanStatus,
    Region,
    Segment,
    SentimentSource,
    TicketSeverity,
    TicketStatus,
)
from accounts.models.accounts import (
    Account,
    FeedSync,
    Meeting,
    SentimentEntry,
    SuccessPlan,
    SupportTicket,
)
from accounts.models.health import (
    HealthChange,
    HealthDailyCount,
    HealthOverride,
    HealthSnapshot,
    HealthTally,
    ScoringChunk,
    ScoringRun,
)
from accounts.models.scorecard import ScorecardConfig, ScorecardVersion

__all__ = [
    "Account",
    "Color",
    "DataFeed",
    "FeedSync",
    "HealthChange",
    "HealthDailyCount",
    "HealthOverride",
    "HealthSnapshot",
    "HealthTally",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "OverrideStatus",
    "PlanStatus",
    "Region",
    "ScorecardConfig",
    "ScorecardVersion",
    "ScoringChunk",
    "ScoringRun",
    "Segment",
    "SentimentEntry",
    "SentimentSource",
    "SuccessPlan",
    "SupportTicket",
    "TicketSeverity",
    "TicketStatus",
]
