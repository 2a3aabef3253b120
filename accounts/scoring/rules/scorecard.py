"""The scorecard: plain inputs in, a result with per-measure detail out (the GitLab handbook's
Gainsight scorecard, see docs/scoring.md): Engagement 10 %, ROI 10 %, Support 5 %, TAM Sentiment
75 %, a missing measure's weight shared by the present ones in proportion to their weights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from accounts.choices import Color, Segment

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
