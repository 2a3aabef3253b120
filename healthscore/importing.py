"""The import_data section registry, and the typed field parsers its sections are made of.

Each app registers, in its AppConfig.ready(), the sections of the import document it owns
(`section_register`) and the fields it reads from another app's rows (`fields_register`: the
notes app reads the signal data from the rows of `accounts`). The `imports` app reads the
document, runs every section's parser, and applies the parsed rows in section order.

The registry lives here, below every app and without a model, so that every app may fill it
(`accounts` may not import `imports`). Cross-section lookups go through the contexts: a `Ref`
field names its target section, which answers "is this id in the file or in the database?"
while parsing and "which row is it?" while applying.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import connections, models, router
from django.utils import timezone

# --- Field parsers ---------------------------------------------------------------------------


class Invalid(Exception):
    """A value is refused; the message follows the field's place (`accounts[3].arr: ...`)."""


@dataclass(frozen=True)
class Field:
    """One key of a row: `key` in the JSON, `name` in the parsed row (the key unless given).
    A missing value is reported when required, else it parses as `default`."""

    key: str
    required: bool = False
    default: Any = None
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", self.key)

    def read(self, raw: dict, row: Row) -> Any:
        value = raw.get(self.key)
        if self.missing(value):
            if self.required:
                raise Invalid("is required")
            return self.default
        return self.clean(value, row)

    def missing(self, value) -> bool:
        return value is None

    def clean(self, value, row: Row) -> Any:
        return value


# Counts are stored in 32-bit integer columns (PostgreSQL's "integer").
MAX_COUNT = 2_147_483_647


def text_is_encodable(value: str) -> bool:
    """False for a string with a lone surrogate ("\\ud800" in JSON): no database or terminal takes it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Text(Field):
    """A string, stripped; on one line unless multiline."""

    default: Any = ""
    max_length: int = 200
    multiline: bool = False

    def missing(self, value) -> bool:
        return value is None or value == ""

    def clean(self, value, row):
        if not isinstance(value, str):
            raise Invalid("must be a string")
        value = value.strip()
        # A NUL byte is refused everywhere: PostgreSQL cannot store one (a 500 from the API).
        if "\x00" in value:
            raise Invalid("must not contain a NUL character")
        if not self.multiline and any(ch in value for ch in "\r\n"):
            raise Invalid("must be on one line")
        if len(value) > self.max_length:
            raise Invalid(f"must be at most {self.max_length} characters")
        return value


@dataclass(frozen=True)
class Email(Text):
    """An email address, lower-cased; empty parses as None."""

    default: Any = None
    max_length: int = 254

    def clean(self, value, row):
        value = super().clean(value, row)
        if not value:
            return None
        try:
            validate_email(value)
        except ValidationError:
            raise Invalid("must be an email address") from None
        return value.lower()


@dataclass(frozen=True)
class Choice(Field):
    """One of a TextChoices' values."""

    choices: Any = ()

    def clean(self, value, row):
        allowed = [c.value for c in self.choices]
        if value not in allowed:
            raise Invalid(f"must be one of {', '.join(allowed)}")
        return value


@dataclass(frozen=True)
class Date(Field):
    """A YYYY-MM-DD date; with `not_after_today`, one after that day's date is refused."""

    not_after_today: Callable[[], dt.date] | None = None

    def clean(self, value, row):
        try:
            if not (isinstance(value, str) and len(value) == 10):
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid("must be a date in YYYY-MM-DD form") from None
        if self.not_after_today and day > (today := self.not_after_today()):
            raise Invalid(f"must not be after today ({today:%Y-%m-%d})")
        return day


@dataclass(frozen=True)
class Money(Field):
    """An amount >= 0 with at most two decimal places (a number or a numeric string)."""

    def clean(self, value, row):
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise InvalidOperation
            number = Decimal(str(value))
            if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            raise Invalid("must be a number >= 0") from None
        if number.as_tuple().exponent < -2:
            raise Invalid("must have at most 2 decimal places")
        return number


@dataclass(frozen=True)
class Count(Field):
    """A whole number >= 0."""

    def clean(self, value, row):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid("must be a whole number >= 0")
        if value > MAX_COUNT:
            raise Invalid(f"must be at most {MAX_COUNT:,}")
        return value


@dataclass(frozen=True)
class Boolean(Field):
    """true or false; a missing key parses as `default`, an explicit null as None."""

    default: Any = False

    def read(self, raw, row):
        value = raw.get(self.key, self.default)
        if value is not None and not isinstance(value, bool):
            raise Invalid("must be true or false")
        return value


@dataclass(frozen=True)
class NameList(Field):
    """A list of non-blank names, parsed as their sorted, lower-cased set."""

    what: str = "names"

    def clean(self, value, row):
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            raise Invalid(f"must be a list of {self.what}")
        return sorted({s.strip().lower() for s in value})


EXTERNAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class Id(Text):
    """The row's own id, unique within its section. Ids that appear in page addresses must be
    url_safe. Other sections' `Ref` fields point at it."""

    key: str = "id"
    name: str = "external_id"
    required: bool = True
    default: Any = None
    max_length: int = 64
    url_safe: bool = False

    def clean(self, value, row):
        value = super().clean(value, row)
        if not value:
            return value
        if self.url_safe and not EXTERNAL_ID.fullmatch(value):
            raise Invalid("may contain only letters, digits, '.', '_' and '-'")
        if earlier := row.context.id_record(row.section, value, row.place):
            raise Invalid(f"duplicate of {earlier}")
        return value


@dataclass(frozen=True)
class Ref(Text):
    """The id of a row of another (earlier) section, in this file or already in the database."""

    required: bool = True
    max_length: int = 64
    section: str = ""

    def clean(self, value, row):
        value = super().clean(value, row)
        if value and not row.context.known(self.section, value):
            raise Invalid(f"unknown {self.key} {value!r} (not in this file nor in the database)")
        return value


# --- Sections and the registry --------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A list in the import document: how to read a row, and how to store a chunk of them.

    `apply(rows, context)` stores a chunk of parsed rows set-based (a constant number of
    queries per chunk, see `rows_upsert`) and returns how many rows it created.
    `carried_only`: a parsed row holds only the keys the row carries (and the required ones),
    so a re-import that leaves a field out keeps the stored value.
    `find(ids)` maps ids to the primary keys of the rows already stored; a section with it
    can be the target of `Ref` fields.
    `order` places the section: targets of references come first."""

    name: str
    order: int
    fields: tuple[Field, ...]
    apply: Callable[[list[dict], ApplyContext], int]
    carried_only: bool = False
    find: Callable[[Iterable[str]], dict[str, int]] | None = None


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


# --- Reading rows ---------------------------------------------------------------------------


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


def _references(raw_sections: dict[str, list], target: str) -> set[str]:
    """Every string a Ref field to `target` carries anywhere in the document."""
    found = set()
    for section in _sections.values():
        keys = [f.key for f in _all_fields(section) if isinstance(f, Ref) and f.section == target]
        for raw in raw_sections.get(section.name, ()) if keys else ():
            if isinstance(raw, dict):
                found |= {raw[k] for k in keys if isinstance(raw.get(k), str)}
    return {value.strip() for value in found}


# --- Storing rows ---------------------------------------------------------------------------

# Ids per lookup query: one IN list stays far inside every database's parameter limit.
LOOKUP_BATCH = 5000


def find_batched(section: str, values: Iterable[str]) -> dict[str, int]:
    """`section`'s find() over any number of ids, LOOKUP_BATCH ids per query."""
    values = sorted(set(values))
    found: dict[str, int] = {}
    for start in range(0, len(values), LOOKUP_BATCH):
        found.update(_sections[section].find(values[start : start + LOOKUP_BATCH]))
    return found


@dataclass
class ApplyContext:
    """What storing the sections shares: primary keys by (section, id), caches for one run
    (users by email, ...), and the accounts whose score inputs changed."""

    cache: dict = field(default_factory=dict)
    accounts_to_rescore: set[int] = field(default_factory=set)
    _pks: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def pks(self, section: str, values: Iterable[str]) -> dict[str, int]:
        """The primary keys of these ids of `section` (stored earlier in this run or before):
        the ones not yet known are looked up together, once."""
        known = self._pks[section]
        missing = {value for value in values if value not in known}
        if missing:
            known.update(find_batched(section, missing))
        return known

    def pk(self, section: str, value: str) -> int:
        return self.pks(section, [value])[value]

    def remember(self, section: str, pks: dict[str, int]) -> None:
        """Primary keys a section just stored, so later sections need no lookup for them."""
        self._pks[section].update(pks)

    def rescore(self, account_id: int) -> None:
        self.accounts_to_rescore.add(account_id)

    def rescore_many(self, account_ids: Iterable[int]) -> None:
        self.accounts_to_rescore.update(account_ids)


@dataclass(frozen=True)
class Upserted:
    """What `rows_upsert` did: the keys of the rows it created, and {key: pk} of the stored rows
    whose values it changed."""

    created: list[tuple]
    changed: dict[tuple, int]


def rows_upsert(model, *, key: tuple[str, ...], rows: list[dict], within: dict | None = None) -> Upserted:
    """Store a chunk of rows set-based, matched to the stored ones by `key` (field names).

    Each row is a dict of field attnames (`account_id`, not `account`) including the key; a
    field a row leaves out keeps the stored value (a new row takes the model default). Rows of
    the chunk with the same key merge in file order, as one-by-one saves would. Queries: one to
    read the stored rows of the chunk's keys (narrowed by `within`, e.g. a source), one
    multi-row INSERT per few hundred new rows and one UPDATE per field set of the changed ones; a
    row whose values are already stored is not written at all, so a second import of the same
    file writes nothing."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[f] for f in key)
        merged[k] = {**merged[k], **row} if k in merged else dict(row)
    if not merged:
        return Upserted([], {})
    fields = sorted({name for row in merged.values() for name in row} - set(key))
    lookup = {f"{key[0]}__in": sorted({k[0] for k in merged}, key=str), **(within or {})}
    stored = {
        tuple(values[f] for f in key): values
        for values in model.objects.filter(**lookup).order_by("pk").values("pk", *key, *fields)
    }
    # Changed rows by the set of fields that changed: one bulk UPDATE each (usually one).
    auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    new, changed, by_fields = {}, {}, defaultdict(list)
    for k, row in merged.items():
        old = stored.get(k)
        if old is None:
            new[k] = {**(within or {}), **row}
            continue
        names = tuple(sorted(f for f, v in row.items() if old[f] != v))
        if names:
            changed[k] = old["pk"]
            by_fields[names].append(model(**{**old, **row}))
    rows_insert(model, list(new.values()))
    for names, objects in by_fields.items():
        for obj in objects:
            for name in auto_now:
                model._meta.get_field(name).pre_save(obj, add=False)
        model.objects.bulk_update(objects, [*names, *auto_now], batch_size=1000)
    return Upserted(list(new), changed)


# Values the database drivers take as they are (Django's field preparation, ~2 µs a value, is
# the larger part of a bulk_create's time): text, numbers, booleans, dates and ids.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.DecimalField,
    models.ForeignKey,
)


def rows_insert(model, rows: list[dict]) -> None:
    """Insert new rows (dicts of attnames; the rest take the model default), many per INSERT.
    Values a driver cannot take as they are (JSON, datetimes) go through their field's
    preparation; a default or an auto_now(_add) stamp is prepared once for all rows."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    columns, steps = [], []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue  # an auto id
        plain = isinstance(f, _PLAIN) and not isinstance(f, models.DateTimeField)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed = f.get_db_prep_save(now, connection)
        else:
            fixed = f.get_db_prep_save(f.get_default(), connection)
        prepare = None if plain else (lambda value, f=f: f.get_db_prep_save(value, connection))
        columns.append(f)
        steps.append((f.attname, fixed, prepare, getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)))
    values = []
    for row in rows:
        line = []
        for attname, fixed, prepare, stamp in steps:
            if stamp or attname not in row:
                line.append(fixed)
            else:
                value = row[attname]
                line.append(value if prepare is None else prepare(value))
        values.append(line)
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in columns)
    )
    one = "({})".format(", ".join(["%s"] * len(columns)))
    # Many rows per statement: psycopg2's executemany is one round trip per row. Within the
    # database's parameter limit (SQLite's is the lowest).
    per_statement = max(1, min(500, (connection.features.max_query_params or 65_535) // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            batch = values[start : start + per_statement]
            cursor.execute(head + ", ".join([one] * len(batch)), [value for line in batch for value in line])
