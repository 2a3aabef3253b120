"""A color in words, the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from accounts.scoring.rules.scorecard import GREEN, LABELS, MEASURES, RED, YELLOW

# --- A color in words ------------------------------------------------------------------------
UNSCORED_LABEL = "Unscored"
COLOR_LABELS = {GREEN: "Green", YELLOW: "Yellow", RED: "Red"}


def color_label(color: str | None) -> str:
    """The one name of a color for people: "Green", "Yellow", "Red", or "Unscored" (no color)."""
    return COLOR_LABELS.get(color or "", UNSCORED_LABEL)


def color_words(color: str | None) -> str:
    """The same name inside a sentence: "red", "unscored"."""
    return color_label(color).lower()


# --- Why an account has its color ------------------------------------------------------------
def health_reasons(measures: Iterable[tuple[str, str | None, str | None]], written: str | None) -> list[str]:
    """Why an account has its color, in plain words: its yellow and red measures, in scorecard
    order, given as (name, color, detail), then what the TAM last wrote about their sentiment
    (or else the sentiment measure's own reason when it is yellow or red)."""
    by_name = {name: (color, detail) for name, color, detail in measures}
    reasons = [
        reason
        for name in MEASURES
        if name != "sentiment" and (reason := _measure_reason(name, *by_name.get(name, (None, None))))
    ]
    color, detail = by_name.get("sentiment", (None, None))
    if written:
        reasons.append(f"{LABELS['sentiment']} {color or 'not set'}: “{_one_line(written)}”")
    elif reason := _measure_reason("sentiment", color, detail):
        reasons.append(reason)
    return reasons


@lru_cache(maxsize=65536)
def _measure_reason(name: str, color: str | None, detail: str | None) -> str | None:
    """A yellow or red measure in words ("Support red: 17 tickets opened ..."); None otherwise."""
    return f"{LABELS[name]} {color}: {detail or ''}" if color in (YELLOW, RED) else None


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


# The reasons as the read model keeps them (Account.health_reasons, .confidence_reasons): one
# per line. A reason never holds a line break (a TAM's written one is joined onto one line).
def reasons_text(reasons: Iterable[str]) -> str:
    return "\n".join(reasons)


def reasons_list(text: str | None) -> list[str]:
    return text.split("\n") if text else []
