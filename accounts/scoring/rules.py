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
from fractions import Fraction
from functools import lru_cache

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
    # Confidence: how old each measure's data may be and still count as fresh (see confidence()).
    confidence_meeting_days: int = 30
    confidence_ticket_days: int = 7
    confidence_plan_days: int = 90

    def weight(self, measure: str) -> int:
        return getattr(self, f"weight_{measure}")

    def points(self, color: str) -> int:
        return getattr(self, f"points_{color}")

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, values: dict) -> Rules:
        """The inverse of as_dict (a stored scorecard version); unknown keys are ignored."""
        decimals = ("full_measure_arr_min", "engagement_arr_min")
        return cls(
            **{
                k: (None if v is None else Decimal(v)) if k in decimals else v
                for k, v in values.items()
                if k in cls.__dataclass_fields__
            }
        )

    def diff(self, other: Rules) -> list[tuple[str, object, object]]:
        """The fields that differ, in declaration order: [(name, self's value, other's value)]."""
        return [
            (name, getattr(self, name), getattr(other, name))
            for name in self.__dataclass_fields__
            if getattr(self, name) != getattr(other, name)
        ]


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


@dataclass(frozen=True, slots=True)
class MeasureResult:
    name: str  # "engagement", "roi", "support", "sentiment"
    color: str | None  # None = missing, its weight is redistributed
    weight: int
    effective_weight: Decimal  # for display; the score itself is computed exactly (see compute)
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


@dataclass(frozen=True, slots=True)
class Result:
    """A scorecard. The score is the exact fraction points_sum / present_weight (integers), so a
    score that lands exactly on a threshold takes the upper color whatever the weights."""

    as_of: dt.date
    points_sum: int  # Σ points(color) × weight over the present measures
    present_weight: int  # Σ weight over the present measures; 0: no score
    color: str | None
    measures: tuple[MeasureResult, ...]

    @property
    def score(self) -> Fraction | None:
        """The unrounded score, exact; None only when no weighted measure is present."""
        return None if self.present_weight == 0 else Fraction(self.points_sum, self.present_weight)

    @property
    def score_rounded(self) -> Decimal | None:
        """The score to one decimal, half up (what is stored and shown)."""
        return None if self.present_weight == 0 else tenths(self.points_sum, self.present_weight)

    def measure(self, name: str) -> MeasureResult:
        return next(m for m in self.measures if m.name == name)

    def measures_dict(self) -> dict:
        return {m.name: m.as_dict() for m in self.measures}


def tenths(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator rounded half up to one decimal, in integer arithmetic (>= 0)."""
    return _TENTHS[(20 * numerator + denominator) // (2 * denominator)]


_TENTHS = [Decimal(n).scaleb(-1) for n in range(1001)]


def round2(value) -> Decimal:
    """A Decimal or Fraction rounded half up to two decimals."""
    if isinstance(value, Fraction):
        return Decimal((200 * value.numerator + value.denominator) // (2 * value.denominator)).scaleb(-2)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"${value:,.0f}"


def support_window(as_of: dt.date, days: int = 30) -> tuple[dt.date, dt.date]:
    """The ticket window ending on as_of: opened > start and <= end (the last `days` days)."""
    return as_of - dt.timedelta(days=days), as_of


def engagement_limits(inputs: Inputs, rules: Rules) -> tuple[int, int] | None:
    """(green up to, yellow up to) in days for this account, or None when not measured."""
    return _engagement_limits(inputs.arr, rules)


def _engagement_limits(arr: Decimal, rules: Rules) -> tuple[int, int] | None:
    if rules.full_measure_arr_min is None or arr >= rules.full_measure_arr_min:
        return rules.engagement_green_days, rules.engagement_yellow_days
    if arr >= rules.engagement_arr_min:
        return rules.engagement_long_green_days, rules.engagement_long_yellow_days
    return None


def roi_measured(inputs: Inputs, rules: Rules) -> bool:
    return rules.full_measure_arr_min is None or inputs.arr >= rules.full_measure_arr_min


# Each measure is a pure function of a few plain values. At 100,000 accounts those values repeat
# (a few hundred meeting dates, a few ticket counts, three plan states), so each measure is
# memoised on them: the same inputs give the very same (color, detail) without formatting again.


@lru_cache(maxsize=65536)
def _engagement(limits: tuple[int, int] | None, last_held: dt.date | None, as_of: dt.date, arr_min: Decimal | None):
    if limits is None:
        return None, f"Not measured for Commercial accounts under {money(arr_min)} ARR"
    green_days, yellow_days = limits
    bands = f"green up to {green_days} days, yellow up to {yellow_days}"
    if last_held is None:
        return RED, f"No held meeting on record ({bands})"
    days = (as_of - last_held).days
    color = GREEN if days <= green_days else YELLOW if days <= yellow_days else RED
    unit = "day" if days == 1 else "days"
    return color, f"{days} {unit} since last meeting on {last_held.isoformat()} ({bands})"


@lru_cache(maxsize=1024)
def _roi(measured: bool, active: bool, draft: bool, arr_min: Decimal | None):
    if not measured:
        return None, f"Not measured for Commercial accounts under {money(arr_min)} ARR"
    if active:
        return GREEN, "Active success plan"
    if draft:
        return YELLOW, "Draft success plan, none active"
    return RED, "No success plan"


@lru_cache(maxsize=8192)
def _support(count: int, window_days: int, green_max: int, yellow_max: int):
    if count <= green_max:
        color = GREEN
    elif count <= yellow_max:
        color = YELLOW
    else:
        color = RED
    unit = "ticket" if count == 1 else "tickets"
    return color, (
        f"{count} {unit} opened in the last {window_days} days (green up to {green_max}, yellow up to {yellow_max})"
    )


@lru_cache(maxsize=8192)
def _sentiment(color: str | None, date: dt.date | None):
    if color is None:
        return None, "No TAM sentiment recorded yet"
    return color, f"Set to {color} on {date.isoformat()}"


def color_for_score(score, rules: Rules) -> str:
    """The band of a score (any exact number: int, Fraction, Decimal)."""
    if score >= rules.green_min_score:
        return GREEN
    if score >= rules.yellow_min_score:
        return YELLOW
    return RED


@lru_cache(maxsize=65536)
def _measure(name: str, color: str | None, weight: int, present_weight: int, detail: str) -> MeasureResult:
    effective = Decimal(0) if color is None or present_weight == 0 else Decimal(weight * 100) / Decimal(present_weight)
    return MeasureResult(name, color, weight, effective, detail)


def compute(inputs: Inputs, rules: Rules, as_of: dt.date) -> Result:
    """Score one account as of a date: Σ points × weight ÷ Σ present weights, one exact fraction."""
    statuses = inputs.plan_statuses
    return compute_values(
        rules,
        as_of,
        arr=inputs.arr,
        last_held=inputs.last_held_meeting,
        tickets=inputs.tickets_in_window,
        active_plan="active" in statuses,
        draft_plan="draft" in statuses,
        sentiment=inputs.sentiment,
        sentiment_date=inputs.sentiment_date,
    )


def compute_values(
    rules: Rules,
    as_of: dt.date,
    *,
    arr: Decimal,
    last_held: dt.date | None,
    tickets: int,
    active_plan: bool,
    draft_plan: bool,
    sentiment: str | None,
    sentiment_date: dt.date | None,
) -> Result:
    """compute() from plain values, as the set-based engine reads them (no Inputs object)."""
    full = rules.full_measure_arr_min is None or arr >= rules.full_measure_arr_min
    raw = (
        _engagement(_engagement_limits(arr, rules), last_held, as_of, rules.engagement_arr_min),
        _roi(full, active_plan, draft_plan, rules.full_measure_arr_min),
        _support(tickets, rules.support_window_days, rules.support_green_max, rules.support_yellow_max),
        _sentiment(sentiment, sentiment_date),
    )
    weights = (rules.weight_engagement, rules.weight_roi, rules.weight_support, rules.weight_sentiment)
    present = 0
    points = 0
    for (color, _), weight in zip(raw, weights, strict=True):
        if color is not None:
            present += weight
            points += weight * (
                rules.points_green if color == GREEN else rules.points_yellow if color == YELLOW else rules.points_red
            )
    measures = tuple(
        _measure(name, color, weight, present, detail)
        for name, (color, detail), weight in zip(MEASURES, raw, weights, strict=True)
    )
    if present == 0:
        return Result(as_of, 0, 0, None, measures)
    # Exact band test: points / present >= threshold  <=>  points >= threshold × present.
    if points >= rules.green_min_score * present:
        color = GREEN
    elif points >= rules.yellow_min_score * present:
        color = YELLOW
    else:
        color = RED
    return Result(as_of, points, present, color, measures)


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


# --- Confidence: how much of the score rests on fresh data ------------------------------------
# A present measure is backed by fresh data when the data behind it was refreshed recently
# enough (`refreshed`: the date per measure, None = never):
#   engagement  meeting data recorded for the account, or a meetings import, within N days
#   roi         a success plan of the account touched within N days
#   support     a ticket import (the ticket sync) within N days
#   sentiment   the TAM set or confirmed the sentiment inside the segment's out-of-date window
#               (the same window as a stale health score: health_is_stale)
# Confidence = the present measures' weight backed by fresh data ÷ all present weight, as one
# integer percent rounded half up. A missing measure counts neither way; no score, no confidence.


@dataclass(frozen=True, slots=True)
class Confidence:
    percent: int  # 0-100
    reasons: tuple[str, ...]  # one plain sentence per present measure whose data is not fresh


def confidence(result: Result, refreshed: dict[str, dt.date | None], segment: str, rules: Rules) -> Confidence | None:
    """How much of the score's effective weight rests on fresh data, and why the rest does not."""
    if result.present_weight == 0:
        return None
    as_of = result.as_of
    fresh_weight = 0
    reasons = []
    for measure in result.measures:
        if measure.color is None:
            continue
        reason = _staleness(measure.name, refreshed.get(measure.name), segment, _age_limit(measure.name, rules), as_of)
        if reason is None:
            fresh_weight += measure.weight
        else:
            reasons.append(reason)
    percent = (200 * fresh_weight + result.present_weight) // (2 * result.present_weight)
    return Confidence(percent, tuple(reasons))


def _age_limit(name: str, rules: Rules) -> int | None:
    """How many days old a measure's data may be (None: the segment's window, for sentiment)."""
    if name == "engagement":
        return rules.confidence_meeting_days
    if name == "support":
        return rules.confidence_ticket_days
    if name == "roi":
        return rules.confidence_plan_days
    return None


_NOT_FRESH = {
    "engagement": ("no meeting data on record", "no meeting data for"),
    "support": ("no ticket sync on record", "no ticket sync for"),
    "roi": ("no success plan on record", "success plan not touched for"),
}


# Memoised like the measures: the dates repeat across accounts (a few hundred distinct ones).
@lru_cache(maxsize=65536)
def _staleness(name: str, date: dt.date | None, segment: str, limit: int | None, as_of: dt.date) -> str | None:
    """None when the measure's data is fresh, else why not, in words."""
    if name == "sentiment":
        if not health_is_stale(segment, date, as_of):
            return None
        return "sentiment never confirmed" if date is None else f"sentiment not confirmed for {age_words(date, as_of)}"
    never, since = _NOT_FRESH[name]
    if date is None:
        return never
    days = (as_of - date).days
    if days <= limit:
        return None
    return f"{since} {days} days"  # the limit is in days, so is the age


def age_words(date: dt.date, as_of: dt.date) -> str:
    """How long before as_of a date was, for a window in calendar months: whole months from a
    month up ("4 months"), days below ("9 days")."""
    months = (as_of.year - date.year) * 12 + as_of.month - date.month
    if months > 0 and months_before(as_of, months) < date:
        months -= 1
    if months:
        return "1 month" if months == 1 else f"{months} months"
    days = (as_of - date).days
    return "1 day" if days == 1 else f"{days} days"


def confidence_words(percent: int | None, reasons=()) -> str:
    """The confidence in one sentence, as every page says it:
    "Confidence 40 %: sentiment not confirmed for 4 months" ("" when there is none)."""
    if percent is None:
        return ""
    if not reasons:
        return f"Confidence {percent} %: every measure rests on fresh data"
    return f"Confidence {percent} %: {'; '.join(reasons)}"


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


# --- Overrides: a person's color in place of the computed one, for a while ------------------

# How long an override may last, in days after the day it starts.
OVERRIDE_MAX_DAYS = 90
# The owner's reminder: a CTA this many days before the override ends.
OVERRIDE_REMINDER_DAYS = 7


def override_in_force(starts_on: dt.date, expires_on: dt.date, as_of: dt.date) -> bool:
    """An active override sets the overall color from its first day to its expiry date, both
    included; the day after, the computed color is back."""
    return starts_on <= as_of <= expires_on


def override_dates_problems(*, starts_on: dt.date, expires_on: dt.date | None, today: dt.date) -> dict[str, str]:
    """What is wrong with an override's dates, by field (empty when nothing): it ends today at
    the earliest and at most OVERRIDE_MAX_DAYS after it starts."""
    if expires_on is None:
        return {"expires_on": "Say until when the override holds."}
    if expires_on < today:
        return {"expires_on": "The expiry date is in the past."}
    if expires_on < starts_on:
        return {"expires_on": "The expiry date is before the override starts."}
    if (expires_on - starts_on).days > OVERRIDE_MAX_DAYS:
        latest = starts_on + dt.timedelta(days=OVERRIDE_MAX_DAYS)
        return {
            "expires_on": f"An override lasts {OVERRIDE_MAX_DAYS} days at most: {latest.isoformat()} at the latest."
        }
    return {}


def override_reminder_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The expiry dates whose owners are reminded on as_of: an override in its last
    OVERRIDE_REMINDER_DAYS days (both ends included)."""
    return as_of, as_of + dt.timedelta(days=OVERRIDE_REMINDER_DAYS)


def override_reminder_due(expires_on: dt.date, as_of: dt.date) -> bool:
    """The owner is reminded in the last week of an override in force (override_reminder_window)."""
    first, last = override_reminder_window(as_of)
    return first <= expires_on <= last
