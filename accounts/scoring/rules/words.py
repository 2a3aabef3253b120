"""A color in words, the same everywhere."""

from __future__ import annotations

from accounts.scoring.rules.scorecard import GREEN, RED, YELLOW

# --- A color in words ------------------------------------------------------------------------
UNSCORED_LABEL = "Unscored"
COLOR_LABELS = {GREEN: "Green", YELLOW: "Yellow", RED: "Red"}


def color_label(color: str | None) -> str:
    """The one name of a color for people: "Green", "Yellow", "Red", or "Unscored" (no color)."""
    return COLOR_LABELS.get(color or "", UNSCORED_LABEL)


def color_words(color: str | None) -> str:
    """The same name inside a sentence: "red", "unscored"."""
    return color_label(color).lower()
