"""Bulk import of CRM and helpdesk exports: the document-level work around the sections each
app registers (healthscore.importing).

Two steps: `document_parse` validates the whole document and returns every problem with its
place (`accounts[3].arr: must be a number >= 0`); `document_apply` writes, in one transaction,
only a document that parsed cleanly, then rescores the accounts whose score inputs it touched.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from accounts import listeners
from accounts.scoring.services import accounts_rescore
from healthscore import clock, importing

# No field takes a number this long (money stops below 1e12); Python refuses to convert
# integers over 4,300 digits with a traceback, so the reader stops far earlier, in words.
MAX_NUMBER_DIGITS = 30


class DocumentUnreadable(Exception):
    """The file is not an import document at all (missing, not JSON, hostile); nothing was written."""


class _NumberTooLong(Exception):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(len(text.lstrip("-")))
    return int(text)


def document_read(path: str):
    """The JSON document in `path`, or DocumentUnreadable with one line saying why."""
    try:
        with open(path, encoding="utf-8") as fh, _collector_paused():
            text = fh.read()
            document = json.loads(text, parse_int=_bounded_int)
    except FileNotFoundError:
        raise DocumentUnreadable("no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentUnreadable(f"not valid JSON ({exc})") from None
    except _NumberTooLong as exc:
        raise DocumentUnreadable(
            f"a number has {exc.args[0]:,} digits (at most {MAX_NUMBER_DIGITS} are accepted)"
        ) from None
    except RecursionError:
        raise DocumentUnreadable("nested too deeply to be an import document") from None
    # Strict UTF-8 decoding refuses an encoded surrogate: one can only come from a \uD800-\uDFFF
    # escape. Without one in the text (the usual case), no walk of every value is needed.
    place = importing.lone_surrogate_place(document) if importing.may_hold_surrogates(text) else None
    if place is not None:
        raise DocumentUnreadable(f"{place}: holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text")
    return document


class ImportErrors(Exception):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ParsedSection:
    """A section's parsed rows, and per row the values of every app's extra fields."""

    section: importing.Section
    rows: list[dict] = field(default_factory=list)
    extras: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class Parsed:
    sections: list[ParsedSection]

    def total(self) -> int:
        return sum(len(s.rows) for s in self.sections)


@contextlib.contextmanager
def _collector_paused():
    """JSON decoding builds only acyclic values: no garbage-collector pass is of use meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _objects_frozen():
    """The document and its parsed rows are millions of long-lived objects; the garbage
    collector's full passes would walk them all again and again while rows are parsed and
    stored (which allocates only short-lived, acyclic values). Set aside for the duration."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def document_parse(document) -> Parsed:
    """Validate a whole import document; raise ImportErrors listing every problem."""
    with _objects_frozen():
        return _parse(document)


def _parse(document) -> Parsed:
    sections = importing.sections()
    names = [s.name for s in sections]
    if not isinstance(document, dict):
        raise ImportErrors(["(top): must be a JSON object with the sections " + ", ".join(names)])
    problems = [f"{key}: unknown section (expected one of {', '.join(names)})" for key in document if key not in names]
    raw_sections = {}
    for name in names:
        rows = document.get(name, [])
        if not isinstance(rows, list):
            problems.append(f"{name}: must be a list")
            rows = []
        raw_sections[name] = rows

    context = importing.ParseContext(raw_sections, problems)
    parsed = Parsed([])
    for section in sections:
        extras = importing.extra_fields(section.name)
        result = ParsedSection(section, extras={extra.name: [] for extra in extras})
        for i, raw in enumerate(raw_sections[section.name]):
            row = importing.Row(section.name, i, raw, context)
            result.rows.append(row.read(section.fields, carried_only=section.carried_only))
            for extra in extras:
                result.extras[extra.name].append(row.read(extra.fields, carried_only=section.carried_only))
        parsed.sections.append(result)
    if problems:
        raise ImportErrors(problems)
    return parsed


# Rows stored per set-based step: each chunk costs a constant number of queries.
APPLY_CHUNK = 2000


@transaction.atomic
def document_apply(
    parsed: Parsed,
    *,
    progress: Callable[[int], None] | None = None,
    rescoring: Callable[[int], Callable[[int], None]] | None = None,
) -> dict[str, int]:
    """Write a parsed document, section by section and a chunk of rows at a time, then rescore
    the accounts it changed, all at once and in the same transaction (the stored health never
    lags the import). Returns how many rows each section created (the rest updated or kept).
    `progress(n)` counts stored rows; `rescoring(total)` is called before the rescore and
    returns the callable that counts rescored accounts."""
    with _objects_frozen(), contextlib.ExitStack() as loads:
        for parsed_section in parsed.sections:
            if parsed_section.section.load is not None:
                loads.enter_context(parsed_section.section.load(len(parsed_section.rows)))
        return _apply(parsed, progress or (lambda n: None), rescoring)


def _apply(parsed: Parsed, tick: Callable[[int], None], rescoring) -> dict[str, int]:
    context = importing.ApplyContext()
    created = {}
    for parsed_section in parsed.sections:
        section = parsed_section.section
        extras = importing.extra_fields(section.name)
        created[section.name] = 0
        for start in range(0, len(parsed_section.rows), APPLY_CHUNK):
            rows = parsed_section.rows[start : start + APPLY_CHUNK]
            created[section.name] += section.apply(rows, context)
            for extra in extras:
                extra.apply(rows, parsed_section.extras[extra.name][start : start + APPLY_CHUNK], context)
            tick(len(rows))
    touched = sorted(context.accounts_to_rescore)
    accounts_rescore(account_ids=touched, progress=rescoring(len(touched)) if rescoring and touched else None)
    # Imported held cadence calls close "Missed cadence call" CTAs in this same transaction.
    listeners.meetings_logged(account_ids=touched, today=clock.today())
    return created
