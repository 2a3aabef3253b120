"""Every pure rule of Healthscore, each defined once: the scorecard (plain inputs in, a result
with per-measure detail out), health freshness ("stale"), the cadence rule, the sentiment in
force and the words for a color. No ORM here: selectors turn these into queries.

Scorecard: The rules follow the GitLab handbook's Gainsight scorecard (see docs/scoring.md):
Engagement 10 %, ROI 10 %, Support 5 %, TAM Sentiment 75 %, a missing measure's weight shared
by the present ones in proportion to their weights.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from accounts.choices import Color, MeetingKind, MeetingStatus, Segment

GREEN, YELLOW, RED = Color.GREEN.value, Color.YELLOW.value, Color.RED.value
ENTERPRISE, COMMERCIAL = Segment.ENTERPRISE.value, Segment.COMMERCIAL.value
MEASURES = ("engagement", "roi", "support", "sentiment")
LABELS = {"engagement": "Engagement", "roi": "ROI", "support": "Support", "sentiment": "TAM Sentiment"}


@dataclass(frozen=True)
class Rules:
    """One segment's weights, limits and bands (mirrors accounts.models.ScorecardConfig)."""

    weight_engagement: int = 10
    weight_roi: int = 10
    weight_support: int = 5
    weight_sentiment: int = 75
    # None: the segment is not tiered by ARR, every account is fully measured.
    full_measure_arr_min: Decimal | None = None
    engagement_arr_min: Decimal | None = None
    engagement_green_days: int = 30
    engagement_yellow_days: int = 60
    engagement_long_green_days: int = 90
    engagement_long_yellow_days: int = 120
    support_window_days: int = 30
    support_green_max: int = 5
    support_yellow_max: int = 15
    points_green: int = 100
    points_yellow: int = 50
    points_red: int = 0
    green_min_score: int = 76
    yellow_min_score: int = 51

    def weight(self, measure: str) -> int:
        return getattr(self, f"weight_{measure}")

    def points(self, color: str) -> int:
        return getattr(self, f"points_{color}")

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


ENTERPRISE_RULES = Rules()
COMMERCIAL_RULES = Rules(full_measure_arr_min=Decimal("50000"), engagement_arr_min=Decimal("20000"))
DEFAULT_RULES = {ENTERPRISE: ENTERPRISE_RULES, COMMERCIAL: COMMERCIAL_RULES}


@dataclass(frozen=True)
class Inputs:
    """What the scorecard needs to know about one account, as of one date."""

    segment: str
    arr: Decimal
    last_held_meeting: dt.date | None
    tickets_in_window: int
    plan_statuses: frozenset[str] = field(default_factory=frozenset)
    sentiment: str | None = None
    sentiment_date: dt.date | None = None


@dataclass(frozen=True)
class MeasureResult:
    name: str  # "engagement", "roi", "support", "sentiment"
    color: str | None  # None = missing, its weight is redistributed
    weight: int
    effective_weight: Decimal  # unrounded
    detail: str

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def as_dict(self) -> dict:
        return {
            "color": self.color,
            "weight": self.weight,
            "effective_weight": float(round2(self.effective_weight)),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Result:
    as_of: dt.date
    score: Decimal | None  # unrounded; None only when no weighted measure is present
    color: str | None
    measures: tuple[MeasureResult, ...]

    @property
    def score_rounded(self) -> Decimal | None:
        return None if self.score is None else self.score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def measure(self, name: str) -> MeasureResult:
        return next(m for m in self.measures if m.name == name)

    def measures_dict(self) -> dict:
        return {m.name: m.as_dict() for m in self.measures}


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"${value:,.0f}"


def support_window(as_of: dt.date, days: int = 30) -> tuple[dt.date, dt.date]:
    """The ticket window ending on as_of: opened > start and <= end (the last `days` days)."""
    return as_of - dt.timedelta(days=days), as_of


def engagement_limits(inputs: Inputs, rules: Rules) -> tuple[int, int] | None:
    """(green up to, yellow up to) in days for this account, or None when not measured."""
    if rules.full_measure_arr_min is None or inputs.arr >= rules.full_measure_arr_min:
        return rules.engagement_green_days, rules.engagement_yellow_days
    if inputs.arr >= rules.engagement_arr_min:
        return rules.engagement_long_green_days, rules.engagement_long_yellow_days
    return None


def roi_measured(inputs: Inputs, rules: Rules) -> bool:
    return rules.full_measure_arr_min is None or inputs.arr >= rules.full_measure_arr_min


def _engagement(inputs: Inputs, rules: Rules, as_of: dt.date) -> tuple[str | None, str]:
    limits = engagement_limits(inputs, rules)
    if limits is None:
        return None, f"Not measured for Commercial accounts under {money(rules.engagement_arr_min)} ARR"
    green_days, yellow_days = limits
    bands = f"green up to {green_days} days, yellow up to {yellow_days}"
    if inputs.last_held_meeting is None:
        return RED, f"No held meeting on record ({bands})"
    days = (as_of - inputs.last_held_meeting).days
    color = GREEN if days <= green_days else YELLOW if days <= yellow_days else RED
    unit = "day" if days == 1 else "days"
    return color, f"{days} {unit} since last meeting on {inputs.last_held_meeting:%Y-%m-%d} ({bands})"


def _roi(inputs: Inputs, rules: Rules) -> tuple[str | None, str]:
    if not roi_measured(inputs, rules):
        return None, f"Not measured for Commercial accounts under {money(rules.full_measure_arr_min)} ARR"
    if "active" in inputs.plan_statuses:
        return GREEN, "Active success plan"
    if "draft" in inputs.plan_statuses:
        return YELLOW, "Draft success plan, none active"
    return RED, "No success plan"


def _support(inputs: Inputs, rules: Rules) -> tuple[str, str]:
    count = inputs.tickets_in_window
    if count <= rules.support_green_max:
        color = GREEN
    elif count <= rules.support_yellow_max:
        color = YELLOW
    else:
        color = RED
    unit = "ticket" if count == 1 else "tickets"
    return color, (
        f"{count} {unit} opened in the last {rules.support_window_days} days "
        f"(green up to {rules.support_green_max}, yellow up to {rules.support_yellow_max})"
    )


def _sentiment(inputs: Inputs) -> tuple[str | None, str]:
    if inputs.sentiment is None:
        return None, "No TAM sentiment recorded yet"
    return inputs.sentiment, f"Set to {inputs.sentiment} on {inputs.sentiment_date:%Y-%m-%d}"


def color_for_score(score: Decimal, rules: Rules) -> str:
    if score >= rules.green_min_score:
        return GREEN
    if score >= rules.yellow_min_score:
        return YELLOW
    return RED


def compute(inputs: Inputs, rules: Rules, as_of: dt.date) -> Result:
    """Score one account as of a date."""
    raw = {
        "engagement": _engagement(inputs, rules, as_of),
        "roi": _roi(inputs, rules),
        "support": _support(inputs, rules),
        "sentiment": _sentiment(inputs),
    }
    present_weight = sum(rules.weight(name) for name, (color, _) in raw.items() if color is not None)
    measures = []
    score = Decimal(0)
    for name in MEASURES:
        color, detail = raw[name]
        weight = rules.weight(name)
        if color is None or present_weight == 0:
            effective = Decimal(0)
        else:
            effective = Decimal(weight) * 100 / Decimal(present_weight)
            score += Decimal(rules.points(color)) * effective / 100
        measures.append(MeasureResult(name, color, weight, effective, detail))
    if present_weight == 0:
        return Result(as_of, None, None, tuple(measures))
    return Result(as_of, score, color_for_score(score, rules), tuple(measures))


def explain_missing(result: Result) -> list[str]:
    """Plain-words sentences for every missing measure, e.g. for the account page."""
    missing = [m for m in result.measures if m.color is None]
    present = [m for m in result.measures if m.color is not None]
    if not missing or not present:
        return []
    sentences = []
    for m in missing:
        sentences.append(
            f"{m.label}: {m.detail[0].lower()}{m.detail[1:]}, so its {m.weight} % is shared by the "
            f"other measures in proportion to their weights."
        )
    return sentences


# --- Health freshness and cadence ------------------------------------------------------------
# Handbook: TAMs get a CTA to update health scores "if they are out of date (monthly for
# Enterprise accounts and quarterly for Commercial)"; cadence calls are due "weekly during the
# customer onboarding phase and at least monthly otherwise".

# How many calendar months a Customer Health Score Date stays current, per segment.
FRESH_MONTHS = {ENTERPRISE: 1, COMMERCIAL: 3}
# The same, in words (a CTA's detail, the pages' Stale badge).
FRESH_WORDS = {ENTERPRISE: "a month", COMMERCIAL: "a quarter"}
# Days between cadence calls: weekly while onboarding, monthly otherwise.
CADENCE_DAYS_ONBOARDING = 7
CADENCE_DAYS = 30


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's end: May 31 -> Apr 30)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(segment: str, today: dt.date) -> dt.date:
    """A health date before this one is out of date for the segment."""
    return months_before(today, FRESH_MONTHS[segment])


def health_is_stale(segment: str, health_date: dt.date | None, today: dt.date) -> bool:
    """More than a month old (Enterprise) or a quarter old (Commercial); never set counts as stale."""
    return health_date is None or health_date < stale_before(segment, today)


def cadence_days(onboarding: bool) -> int:
    return CADENCE_DAYS_ONBOARDING if onboarding else CADENCE_DAYS


def cadence_missed(onboarding: bool, last_held: dt.date | None, today: dt.date) -> bool:
    """No cadence call held within the cadence window ending today."""
    return last_held is None or (today - last_held).days > cadence_days(onboarding)


# --- The sentiment in force ----------------------------------------------------------------
# The TAM sentiment that counts on a date is the newest entry dated on or before it; entries of
# one day are ordered by when they were saved, and the id breaks a tie of the same instant.
# Every read of "the sentiment in force" (scorecard, pages, confirm, history) uses this order.
SENTIMENT_NEWEST_FIRST = ("-date", "-created_at", "-pk")


# --- Cadence calls ---------------------------------------------------------------------------
# A cadence call is a held meeting of one of these kinds (an onboarding call counts while the
# customer onboards); "the last cadence call" is the latest such meeting on or before a date.
CADENCE_KINDS = (MeetingKind.CADENCE.value, MeetingKind.ONBOARDING.value)
CADENCE_STATUS = MeetingStatus.HELD.value


# --- A color in words ------------------------------------------------------------------------
UNSCORED_LABEL = "Unscored"
COLOR_LABELS = {GREEN: "Green", YELLOW: "Yellow", RED: "Red"}


def color_label(color: str | None) -> str:
    """The one name of a color for people: "Green", "Yellow", "Red", or "Unscored" (no color)."""
    return COLOR_LABELS.get(color or "", UNSCORED_LABEL)


def color_words(color: str | None) -> str:
    """The same name inside a sentence: "red", "unscored"."""
    return color_label(color).lower()
