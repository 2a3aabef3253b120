"""The registry of the import document's sections: each app registers, in its AppConfig.ready(),
the sections it owns and the fields it reads from another app's rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from healthscore.importing.fields import Field, Ref

if TYPE_CHECKING:
    from healthscore.importing.storing import ApplyContext


@dataclass(frozen=True)
class Section:
    """A list in the import document: how to read a row, and how to store a chunk of them.

    `apply(rows, context)` stores a chunk of parsed rows set-based (a constant number of
    queries per chunk, see `rows_upsert`) and returns how many rows it created.
    `carried_only`: a parsed row holds only the keys the row carries (and the required ones),
    so a re-import that leaves a field out keeps the stored value.
    `find(ids)` maps ids to the primary keys of the rows already stored; a section with it
    can be the target of `Ref` fields.
    `order` places the section: targets of references come first.
    `load(rows)`, given how many rows the document holds for the section, returns a context
    manager that the whole apply, rescore included, runs in (inside its transaction): a section
    whose table a large import mostly writes can set its indexes aside (healthscore.loads.sqlite_load,
    postgres_load)."""

    name: str
    order: int
    fields: tuple[Field, ...]
    apply: Callable[[list[dict], ApplyContext], int]
    carried_only: bool = False
    find: Callable[[Iterable[str]], dict[str, int]] | None = None
    load: Callable[[int], AbstractContextManager] | None = None


@dataclass(frozen=True)
class ExtraFields:
    """Fields another app reads from a section's rows (same row, same JSON format). `apply(rows,
    extras, context)` runs for every chunk of rows once the chunk is stored (`extras[i]` holds
    the extra values of `rows[i]`)."""

    section: str
    name: str
    fields: tuple[Field, ...]
    apply: Callable[[list[dict], list[dict], ApplyContext], None]


_sections: dict[str, Section] = {}
_extra_fields: dict[tuple[str, str], ExtraFields] = {}


def section_register(section: Section) -> None:
    """Add (or replace, by name) a section of the import document."""
    _sections[section.name] = section


def fields_register(extra: ExtraFields) -> None:
    """Add (or replace, by section and name) fields read from another app's section."""
    _extra_fields[(extra.section, extra.name)] = extra


def sections() -> list[Section]:
    """The registered sections in apply order; a reference to a later or unknown section is a
    configuration error."""
    ordered = sorted(_sections.values(), key=lambda s: s.order)
    for section in ordered:
        for f in _all_fields(section):
            if isinstance(f, Ref):
                target = _sections.get(f.section)
                if target is None or target.order >= section.order or target.find is None:
                    raise ImproperlyConfigured(
                        f"import section {section.name!r}: {f.key} must refer to an earlier section with find()"
                    )
    return ordered


def extra_fields(section: str) -> list[ExtraFields]:
    return [extra for (name, _), extra in _extra_fields.items() if name == section]


def _all_fields(section: Section) -> list[Field]:
    return [*section.fields, *(f for extra in extra_fields(section.name) for f in extra.fields)]


def _references(raw_sections: dict[str, list], target: str) -> set[str]:
    """Every string a Ref field to `target` carries anywhere in the document."""
    found = set()
    for section in _sections.values():
        keys = [f.key for f in _all_fields(section) if isinstance(f, Ref) and f.section == target]
        for raw in raw_sections.get(section.name, ()) if keys else ():
            if isinstance(raw, dict):
                found |= {raw[k] for k in keys if isinstance(raw.get(k), str)}
    return {value.strip() for value in found}


# Ids per lookup query: one IN list stays far inside every database's parameter limit.
LOOKUP_BATCH = 5000


def find_batched(section: str, values: Iterable[str]) -> dict[str, int]:
    """`section`'s find() over any number of ids, LOOKUP_BATCH ids per query."""
    values = sorted(set(values))
    found: dict[str, int] = {}
    for start in range(0, len(values), LOOKUP_BATCH):
        found.update(_sections[section].find(values[start : start + LOOKUP_BATCH]))
    return found
