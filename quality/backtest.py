"""The backtest of the scorecard against renewals, as pure functions (no ORM): from how many
renewals ended in each outcome after the account had each color N days before, the distribution,
the churn rate per color, and how well "red" predicted a loss.

Definitions (docs/quality.md):
- A renewal's color at horizon N is the overall color of the account's latest health snapshot
  dated on or before (renewal date − N days); no such snapshot, or one without a color, is
  "unscored".
- A loss is a churned or downsold renewal (the positives); red is the prediction.
- Precision of red = red renewals that were losses ÷ red renewals.
  Recall of red = red renewals that were losses ÷ losses.
  Both count scored renewals only: unscored renewals are excluded from them and counted apart.
- Churn rate of a color = churned renewals ÷ renewals of that color (the loss rate likewise with
  downsells too). A ratio with nothing to divide by is None ("no renewals"), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from accounts.scoring import rules

HORIZONS = (30, 60, 90)
RENEWED, EXPANDED, DOWNSELL, CHURNED = "renewed", "expanded", "downsell", "churned"
OUTCOMES = (RENEWED, EXPANDED, DOWNSELL, CHURNED)
LOSSES = frozenset({DOWNSELL, CHURNED})
UNSCORED = "unscored"
# The matrix's rows, the prediction's order: green, yellow, red, then the renewals with no color.
COLOR_ROWS = (rules.GREEN, rules.YELLOW, rules.RED, UNSCORED)


@dataclass(frozen=True)
class ColorRow:
    """The renewals whose account had one color at the horizon, by outcome."""

    color: str  # green, yellow, red or "unscored"
    counts: dict[str, int]  # outcome -> renewals

    @property
    def label(self) -> str:
        return row_label(self.color)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def churn_rate(self) -> Fraction | None:
        return ratio(self.counts[CHURNED], self.total)

    @property
    def loss_rate(self) -> Fraction | None:
        return ratio(sum(self.counts[o] for o in LOSSES), self.total)


@dataclass(frozen=True)
class Backtest:
    """One horizon's figures."""

    horizon: int  # days before the renewal
    rows: tuple[ColorRow, ...]  # in COLOR_ROWS order

    def row(self, color: str) -> ColorRow:
        return next(r for r in self.rows if r.color == color)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def unscored(self) -> int:
        return self.row(UNSCORED).total

    @property
    def scored(self) -> int:
        return self.total - self.unscored

    @property
    def true_positives(self) -> int:
        """Red, and lost."""
        return sum(self.row(rules.RED).counts[o] for o in LOSSES)

    @property
    def false_positives(self) -> int:
        """Red, and kept."""
        return self.row(rules.RED).total - self.true_positives

    @property
    def false_negatives(self) -> int:
        """Green or yellow, and lost."""
        return sum(self.row(c).counts[o] for c in (rules.GREEN, rules.YELLOW) for o in LOSSES)

    @property
    def true_negatives(self) -> int:
        """Green or yellow, and kept."""
        return self.scored - self.true_positives - self.false_positives - self.false_negatives

    @property
    def precision(self) -> Fraction | None:
        return ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> Fraction | None:
        return ratio(self.true_positives, self.true_positives + self.false_negatives)


def row_label(color: str) -> str:
    """A matrix row's name for people: "Green", ..., "Unscored" (rules.color_label, once)."""
    return rules.color_label(None if color == UNSCORED else color)


def ratio(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(part, whole)


def percent(value: Fraction | None) -> Decimal | None:
    """A ratio as a percentage to one decimal, half up (None stays None)."""
    if value is None:
        return None
    return rules.tenths(100 * value.numerator, value.denominator)


def backtest(horizon: int, counts: Iterable[tuple[str | None, str, int]]) -> Backtest:
    """The figures of one horizon from (color at the horizon or None, outcome, renewals) rows; a
    (color, outcome) pair may repeat, its counts add up."""
    matrix = {color: dict.fromkeys(OUTCOMES, 0) for color in COLOR_ROWS}
    for color, outcome, n in counts:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        matrix[color if color in matrix and color != UNSCORED else UNSCORED][outcome] += n
    return Backtest(horizon, tuple(ColorRow(color, matrix[color]) for color in COLOR_ROWS))


# --- A draft configuration's color, from what a snapshot stored ------------------------------
# A snapshot's `inputs` (accounts.scoring.inputs.ScoreInputs.record) holds every input of the
# scorecard as of its date, except one: the ticket count is for the support window of the
# configuration in force then. A draft with another window cannot be recomputed honestly.
RECOMPUTABLE_EXCEPT = ("support_window_days",)


def draft_blockers(draft: rules.Rules, current: rules.Rules) -> list[str]:
    """The draft's changes a snapshot's stored inputs cannot answer (empty: fully recomputable)."""
    return [name for name in RECOMPUTABLE_EXCEPT if getattr(draft, name) != getattr(current, name)]


def stored_color(stored: dict | None, segment_rules: rules.Rules, as_of: dt.date) -> str | None:
    """The overall color a snapshot's stored inputs give under `segment_rules` (None: no snapshot,
    or inputs too old to hold every value, or no weighted measure present)."""
    if not stored:
        return None
    try:
        arr = Decimal(stored["arr"])
        if "active_plan" in stored:
            active, draft = bool(stored["active_plan"]), bool(stored["draft_plan"])
        else:  # the first snapshots stored the plans' statuses
            statuses = set(stored["plan_statuses"])
            active, draft = "active" in statuses, "draft" in statuses
        result = rules.compute_values(
            segment_rules,
            as_of,
            arr=arr,
            last_held=_date(stored["last_held_meeting"]),
            tickets=int(stored["tickets_in_window"]),
            active_plan=active,
            draft_plan=draft,
            sentiment=stored["sentiment"],
            sentiment_date=_date(stored["sentiment_date"]),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    return result.color


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
