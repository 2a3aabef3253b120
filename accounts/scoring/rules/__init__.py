"""Every pure rule of Healthscore, each defined once; no ORM here (selectors turn these into
queries). Every name is imported from here (`from accounts.scoring import rules`; rules.compute):

- `scorecard`: plain inputs in, a result with per-measure detail out (the GitLab handbook's
  Gainsight scorecard, docs/scoring.md: Engagement 10 %, ROI 10 %, Support 5 %, TAM Sentiment
  75 %, a missing measure's weight shared by the present ones in proportion to their weights);
- `freshness`: health freshness ("stale"), the cadence rule, the sentiment in force;
- `words`: a color in words;
- `confidence`: how much of a score rests on fresh data;
- `overrides`: a person's color in place of the computed one, for a while.
"""

from __future__ import annotations

from accounts.scoring.rules.confidence import (
    Confidence,
    age_words,
    confidence,
    confidence_words,
)
from accounts.scoring.rules.freshness import (
    CADENCE_DAYS,
    CADENCE_DAYS_ONBOARDING,
    CADENCE_KINDS,
    CADENCE_STATUS,
    FRESH_MONTHS,
    FRESH_WORDS,
    SENTIMENT_NEWEST_FIRST,
    cadence_days,
    cadence_missed,
    health_is_stale,
    months_before,
    stale_before,
)
from accounts.scoring.rules.overrides import (
    OVERRIDE_MAX_DAYS,
    OVERRIDE_REMINDER_DAYS,
    override_dates_problems,
    override_in_force,
    override_reminder_due,
    override_reminder_window,
)
from accounts.scoring.rules.scorecard import (
    COMMERCIAL,
    COMMERCIAL_RULES,
    DEFAULT_RULES,
    ENTERPRISE,
    ENTERPRISE_RULES,
    GREEN,
    LABELS,
    MEASURES,
    RED,
    YELLOW,
    Inputs,
    MeasureResult,
    Result,
    Rules,
    color_for_score,
    compute,
    compute_values,
    engagement_limits,
    explain_missing,
    money,
    roi_measured,
    round2,
    support_window,
    tenths,
)
from accounts.scoring.rules.words import (
    COLOR_LABELS,
    UNSCORED_LABEL,
    color_label,
    color_words,
    health_reasons,
    reasons_list,
    reasons_text,
)

__all__ = [
    "CADENCE_DAYS",
    "CADENCE_DAYS_ONBOARDING",
    "CADENCE_KINDS",
    "CADENCE_STATUS",
    "COLOR_LABELS",
    "COMMERCIAL",
    "COMMERCIAL_RULES",
    "Confidence",
    "DEFAULT_RULES",
    "ENTERPRISE",
    "ENTERPRISE_RULES",
    "FRESH_MONTHS",
    "FRESH_WORDS",
    "GREEN",
    "Inputs",
    "LABELS",
    "MEASURES",
    "MeasureResult",
    "OVERRIDE_MAX_DAYS",
    "OVERRIDE_REMINDER_DAYS",
    "RED",
    "Result",
    "Rules",
    "SENTIMENT_NEWEST_FIRST",
    "UNSCORED_LABEL",
    "YELLOW",
    "age_words",
    "cadence_days",
    "cadence_missed",
    "color_for_score",
    "color_label",
    "color_words",
    "compute",
    "compute_values",
    "confidence",
    "confidence_words",
    "engagement_limits",
    "explain_missing",
    "health_is_stale",
    "health_reasons",
    "money",
    "months_before",
    "override_dates_problems",
    "override_in_force",
    "override_reminder_due",
    "override_reminder_window",
    "reasons_list",
    "reasons_text",
    "roi_measured",
    "round2",
    "stale_before",
    "support_window",
    "tenths",
]
