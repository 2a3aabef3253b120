"""The one rule tying a renewal's ARR to its outcome (form, API, import and the model's clean)."""

from __future__ import annotations

from decimal import Decimal

CHURNED = "churned"
OUTCOME_VALUES = ("renewed", "expanded", "downsell", "churned")


def arr_problem(outcome: str | None, arr: Decimal | None) -> str | None:
    """What is wrong with this ARR after a renewal with this outcome (None: nothing): a churned
    account keeps 0, any other outcome keeps some."""
    if arr is None or outcome not in OUTCOME_VALUES:
        return None
    if outcome == CHURNED and arr != 0:
        return "must be 0 for a churned account"
    if outcome != CHURNED and arr <= 0:
        return "must be above 0 unless the account churned"
    return None
