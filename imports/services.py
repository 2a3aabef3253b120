"""Writes of the imports app: a CSV export imported through import_data's one validation and
apply path."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from imports.csv_sources import CsvRefused, csv_convert
from imports.document import ImportErrors, Parsed, document_apply, document_parse


def csv_parse(*, data: bytes, source: str) -> Parsed:
    """Read and validate a CSV export as a whole; raise ImportErrors listing every problem by
    line and column. Writes nothing."""
    try:
        converted = csv_convert(data, source)
    except CsvRefused as exc:
        raise ImportErrors(exc.problems) from None
    try:
        parsed = document_parse(converted.document)
        problems = list(converted.problems)
    except ImportErrors as exc:
        parsed = None
        # A cell the CSV reading refused already has its problem: not a second "is required".
        refused = {p.split(": ", 1)[0] for p in converted.problems}
        placed = [converted.place(p) for p in exc.problems]
        problems = converted.problems + [p for p in placed if p.split(": ", 1)[0] not in refused]
    if problems:
        raise ImportErrors(sorted(set(problems), key=_line_order))
    return parsed


def _line_order(problem: str):
    head = problem.split(",", 1)[0].split(":", 1)[0]
    return (int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0, problem)


def csv_import(*, data: bytes, source: str, progress: Callable[[int], None] | None = None) -> tuple[Parsed, dict]:
    """Import a CSV export: all of it in one transaction, or nothing (ImportErrors)."""
    parsed = csv_parse(data=data, source=source)
    try:
        return parsed, document_apply(parsed, progress=progress)
    except ValidationError as exc:
        raise ImportErrors(exc.messages) from None
    except IntegrityError as exc:
        raise ImportErrors([str(exc).splitlines()[0]]) from None
