"""Writes of the imports app: a CSV export imported through import_data's one validation and
apply path."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from imports.csv_sources import CsvRefused, csv_convert
from imports.document import ImportErrors, Parsed, document_apply, document_parse
from imports.models import ImportRun, ImportStatus


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
    return parsed, _apply(parsed, progress)


def _apply(parsed: Parsed, progress=None) -> dict:
    try:
        return document_apply(parsed, progress=progress)
    except ValidationError as exc:
        raise ImportErrors(exc.messages) from None
    except IntegrityError as exc:
        raise ImportErrors([str(exc).splitlines()[0]]) from None


def import_run_create(*, data: bytes, filename: str, source: str, by) -> ImportRun:
    """Keep an uploaded file and queue its import after commit; the Import page follows it."""
    from imports import tasks

    run = ImportRun(source=source, filename=filename[:255], content=data, by=by)
    run.full_clean(exclude=["content"])
    run.save()
    transaction.on_commit(lambda: tasks.import_run_enqueue(run.pk))
    return run


def import_run_execute(*, run_id: int) -> None:
    """Import a queued run once: a second delivery of the task finds it started and does nothing.
    Checking happens outside the write transaction, so the page sees each step."""
    if not ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(status=ImportStatus.CHECKING):
        return
    run = ImportRun.objects.get(pk=run_id)
    try:
        parsed = csv_parse(data=bytes(run.content), source=run.source)
        ImportRun.objects.filter(pk=run_id).update(status=ImportStatus.WRITING, rows=parsed.total())
        created = _apply(parsed)
    except ImportErrors as exc:
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportStatus.FAILED,
            problems=exc.problems,
            summary=f"{len(exc.problems)} problem(s), nothing imported",
        )
        return
    new = ", ".join(f"{n} new {name.replace('_', ' ')}" for name, n in created.items() if n) or "nothing new"
    ImportRun.objects.filter(pk=run_id).update(
        status=ImportStatus.DONE, summary=f"{parsed.total()} {_rows(parsed.total())} imported ({new})", content=b""
    )


def _rows(n: int) -> str:
    return "row" if n == 1 else "rows"


def import_run_refuse(*, run_id: int, reason: str) -> None:
    """A queued run that cannot start (the task queue is down) is refused, not left waiting."""
    ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.FAILED, problems=[reason], summary="not started, nothing imported"
    )
