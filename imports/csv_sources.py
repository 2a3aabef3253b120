"""CSV exports people really have: a Salesforce account report and a Zendesk ticket export.

Each source turns its rows into a section of import_data's document (Salesforce -> accounts,
Zendesk -> tickets) through a column mapping (defaults below; an admin saves their own per
source), so a CSV goes through the same validation and apply path as the JSON import. Every
problem is reported as `line 5, column 'Annual Revenue': must be a number >= 0`; the line is
the file's line (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from accounts.models import Account
from imports import csv_values
from imports.csv_values import BadValue
from imports.models import CsvMapping, CsvSource

MAX_BYTES = 20 * 1024 * 1024
TOO_MANY_CELLS: dict[str, str] = {}  # the marker of a row with more cells than the header


@dataclass(frozen=True)
class SourceFormat:
    """A CSV source: the document section its rows become, its default columns and value words."""

    source: str
    section: str
    columns: dict[str, str]  # import field -> the export's column
    required: tuple[str, ...]  # fields whose column must be in the file
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {word: value}


FORMATS = {
    CsvSource.SALESFORCE: SourceFormat(
        source=CsvSource.SALESFORCE,
        section="accounts",
        columns={
            "id": "Account ID",
            "name": "Account Name",
            "segment": "Type",
            "arr": "Annual Revenue",
            "region": "Billing Country",
            "region_state": "Billing State/Province",
            "sal": "Account Owner",
            "tam": "Technical Account Manager",
            "renewal_date": "Renewal Date",
        },
        required=("id", "name", "segment", "arr", "region"),
        values={
            "segment": {
                "enterprise": "enterprise",
                "strategic": "enterprise",
                "large enterprise": "enterprise",
                "commercial": "commercial",
                "mid-market": "commercial",
                "mid market": "commercial",
                "smb": "commercial",
            },
        },
    ),
    CsvSource.ZENDESK: SourceFormat(
        source=CsvSource.ZENDESK,
        section="tickets",
        columns={
            "id": "Id",
            "account": "Organization",
            "opened": "Created at",
            "status": "Status",
            "severity": "Priority",
            "subject": "Subject",
        },
        required=("id", "account", "opened"),
        values={
            "status": {s: s for s in ("new", "open", "pending", "solved", "closed")} | {"hold": "pending"},
            "severity": {s: s for s in ("low", "normal", "high", "urgent")},
        },
    ),
}


@dataclass(frozen=True)
class Mapping:
    source: SourceFormat
    columns: dict[str, str]
    values: dict[str, dict[str, str]]


def mapping_for(source: str) -> Mapping:
    """The source's mapping: the admin's saved columns and words over the defaults."""
    fmt = FORMATS[source]
    saved = CsvMapping.objects.filter(source=source).first()
    columns, values = dict(fmt.columns), {k: dict(v) for k, v in fmt.values.items()}
    if saved:
        columns.update({k: v for k, v in saved.columns.items() if v})
        for name, words in saved.values.items():
            values.setdefault(name, {}).update({str(w).strip().lower(): v for w, v in words.items()})
    return Mapping(fmt, columns, values)


def mapping_problems(source: str, columns, values) -> list[str]:
    """What is wrong with a mapping an admin wants to save (empty when it is fine)."""
    fmt = FORMATS[source]
    problems = []
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        return ['columns: must be an object of field -> column name, e.g. {"name": "Account Name"}']
    problems += [
        f"columns: unknown field {k!r} (known: {', '.join(fmt.columns)})" for k in columns if k not in fmt.columns
    ]
    if not isinstance(values, dict) or not all(
        isinstance(words, dict) and all(isinstance(v, str) for v in words.values()) for words in values.values()
    ):
        problems.append('values: must be an object of field -> {"word": "value"}')
    return problems


# --- Reading the file ------------------------------------------------------------------------


class CsvRefused(Exception):
    """The file cannot be read at all (not UTF-8, no header, a column missing)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def rows_read(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and (line, {column: cell}) rows of a UTF-8 CSV, with or without a BOM,
    delimited by ';' or ','. Blank lines are skipped; the line numbers stay the file's."""
    if len(data) > MAX_BYTES:
        raise CsvRefused([f"the file is larger than {MAX_BYTES // 1024 // 1024} MB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRefused([f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]) from None
    if "\x00" in text:
        raise CsvRefused(["the file contains NUL characters: it is not a CSV text file"])
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows = None, []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if len(cells) > len(header):
                rows.append((reader.line_num, TOO_MANY_CELLS))
                continue
            rows.append((reader.line_num, dict(zip(header, [c.strip() for c in cells], strict=False))))
    except csv.Error as exc:
        raise CsvRefused([f"line {reader.line_num}: {exc}"]) from None
    if header is None:
        raise CsvRefused(["the file is empty: a header line and rows are expected"])
    return header, rows


# --- Turning rows into the document's section -------------------------------------------------


@dataclass
class Converted:
    """A CSV as import_data's document, with where each row came from."""

    document: dict
    lines: list[int]
    columns: dict[str, str]
    problems: list[str]

    def place(self, problem: str) -> str:
        """'accounts[3].arr: must be ...' -> "line 5, column 'Annual Revenue': must be ..."."""
        match = re.match(r"(\w+)\[(\d+)\](?:\.(\w+))?: (.*)", problem)
        if not match:
            return problem
        _, index, key, message = match.groups()
        message = re.sub(r"\w+\[(\d+)\]", lambda m: f"line {self.lines[int(m.group(1))]}", message)
        where = f"line {self.lines[int(index)]}"
        return f"{where}, column {self.columns.get(key, key)!r}: {message}" if key else f"{where}: {message}"


def csv_convert(data: bytes, source: str) -> Converted:
    """Read a CSV export into import_data's document; raise CsvRefused when it cannot be read."""
    mapping = mapping_for(source)
    header, rows = rows_read(data)
    fmt = mapping.source
    missing = [f for f in fmt.required if mapping.columns.get(f) not in header]
    if missing:
        raise CsvRefused(
            [
                f"column {mapping.columns.get(f)!r} ({f}) is not in the file; its columns are: {', '.join(header)}"
                for f in missing
            ]
        )
    lookups = _Lookups(rows, mapping)
    converted = Converted({fmt.section: []}, [], mapping.columns, [])
    for line, cells in rows:
        if cells is TOO_MANY_CELLS:
            converted.problems.append(f"line {line}: more cells than the header has columns")
            continue
        row = {}
        for name, column in mapping.columns.items():
            cell = cells.get(column, "")
            if name == "region_state" or not cell:
                continue
            try:
                row[name] = _READERS.get(name, _text)(cell, name, cells, mapping, lookups)
            except BadValue as exc:
                converted.problems.append(f"line {line}, column {column!r}: {exc}")
        converted.document[fmt.section].append(row)
        converted.lines.append(line)
    return converted


class _Lookups:
    """The database reads a file needs, once per file: people by name, accounts by name."""

    def __init__(self, rows, mapping: Mapping):
        self.mapping = mapping
        self._people = None
        self._accounts = None
        self.rows = rows

    def person(self, name: str) -> str:
        if "@" in name:
            return name
        if self._people is None:
            self._people = {}
            for user in (
                get_user_model().objects.filter(is_active=True).only("username", "first_name", "last_name", "email")
            ):
                for key in {user.username.lower(), user.get_full_name().strip().lower()} - {""}:
                    self._people.setdefault(key, []).append(user)
        found = self._people.get(name.strip().lower(), [])
        if len(found) != 1:
            raise BadValue(f"{'no' if not found else 'more than one'} user named {name!r}; use an email address")
        if not found[0].email:
            raise BadValue(f"the user {name!r} has no email address in Healthscore")
        return found[0].email

    def account(self, name: str) -> str:
        if self._accounts is None:
            column = self.mapping.columns["account"]
            wanted = {cells.get(column, "").lower() for _, cells in self.rows} - {""}
            self._accounts = {}
            for lowered, external_id in (
                Account.objects.annotate(lowered=Lower("name"))
                .filter(lowered__in=wanted)
                .values_list("lowered", "external_id")
            ):
                self._accounts.setdefault(lowered, []).append(external_id)
        found = self._accounts.get(name.lower(), [])
        if len(found) > 1:
            raise BadValue(f"more than one account is named {name!r}")
        # An organization named after no account may be a CRM id: the document's check says.
        return found[0] if found else name


def _text(cell, name, cells, mapping, lookups):
    return cell


def _word(cell, name, cells, mapping, lookups):
    words = mapping.values.get(name, {})
    value = words.get(cell.lower())
    if value is None:
        allowed = ", ".join(sorted(set(words.values())))
        raise BadValue(f"{cell!r} is not a known {name} ({allowed}, or add the word to the mapping)")
    return value


def _region(cell, name, cells, mapping, lookups):
    words = mapping.values.get("region", {})
    if cell.lower() in words:
        return words[cell.lower()]
    return csv_values.region_read(cell, cells.get(mapping.columns.get("region_state", ""), ""))


_READERS: dict[str, Callable] = {
    "segment": _word,
    "status": _word,
    "severity": _word,
    "region": _region,
    "arr": lambda cell, *rest: csv_values.amount_read(cell),
    "renewal_date": lambda cell, *rest: csv_values.date_read(cell).isoformat(),
    "opened": lambda cell, *rest: csv_values.date_read(cell).isoformat(),
    "tam": lambda cell, name, cells, mapping, lookups: lookups.person(cell),
    "sal": lambda cell, name, cells, mapping, lookups: lookups.person(cell),
    "account": lambda cell, name, cells, mapping, lookups: lookups.account(cell),
}
