"""Reading the rows of a document: each row's fields parsed, problems collected under the row's
place, and the ids seen or already stored per section (for `Ref` fields)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from healthscore.importing.fields import Field, Invalid
from healthscore.importing.registry import _references, find_batched


class Row:
    """One row being parsed: reads fields, collecting problems under the row's place."""

    def __init__(self, section: str, index: int, raw, context: ParseContext):
        self.section, self.context = section, context
        self.place = f"{section}[{index}]"
        self.raw = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            context.problems.append(f"{self.place}: must be an object")

    def read(self, fields: Iterable[Field], *, carried_only: bool = False) -> dict:
        values = {}
        for f in fields:
            try:
                value = f.read(self.raw, self)
            except Invalid as exc:
                self.context.problems.append(f"{self.place}.{f.key}: {exc}")
                value = None
            if not carried_only or f.required or f.key in self.raw:
                values[f.name] = value
        return values


class ParseContext:
    """What parsing the sections shares: the problems found, the ids seen per section, and the
    ids already in the database (one lookup per referenced section, on first need)."""

    def __init__(self, raw_sections: dict[str, list], problems: list[str]):
        self.raw_sections = raw_sections
        self.problems = problems
        self._ids: dict[str, dict[str, str]] = defaultdict(dict)
        self._stored: dict[str, set[str]] = {}

    def id_record(self, section: str, value: str, place: str) -> str | None:
        """Record a row's id; returns the place of an earlier row with the same id."""
        seen = self._ids[section]
        if value in seen:
            return seen[value]
        seen[value] = place
        return None

    def known(self, section: str, value: str) -> bool:
        """Whether the id is in this file's `section` or stored already."""
        if value in self._ids[section]:
            return True
        if section not in self._stored:
            wanted = _references(self.raw_sections, section) - set(self._ids[section])
            self._stored[section] = set(find_batched(section, wanted))
        return value in self._stored[section]
