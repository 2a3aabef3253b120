"""The typed field parsers the import sections are made of: each reads one key of a row and
refuses a bad value with a message that follows the field's place (`accounts[3].arr: ...`)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

if TYPE_CHECKING:
    from healthscore.importing.parsing import Row


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


# A lone surrogate in decoded JSON can only come from a \uD800-\uDFFF escape (strict UTF-8
# decoding refuses an encoded one): without such an escape in the text, no walk is needed.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(_SURROGATE_ESCAPE.pattern.encode())


def may_hold_surrogates(text: str | bytes) -> bool:
    """Whether JSON text holds a surrogate escape (a valid pair too: then walk to be sure)."""
    if isinstance(text, bytes):
        return _SURROGATE_ESCAPE_BYTES.search(text) is not None
    return _SURROGATE_ESCAPE.search(text) is not None


def lone_surrogate_place(document) -> str | None:
    """Where the first string (key or value) of decoded JSON that cannot be UTF-8 is, e.g.
    "accounts[0].name", or "(top)" for the document itself; None if there is none."""
    stack = [("(top)", document)]
    while stack:
        place, value = stack.pop()
        if isinstance(value, str):
            if not text_is_encodable(value):
                return place
        elif isinstance(value, dict):
            for key, item in value.items():
                if not text_is_encodable(key):
                    return f"{place}: a key"
                stack.append((key if place == "(top)" else f"{place}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{place}[{i}]", item) for i, item in enumerate(value))
    return None


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
        if not self.multiline and ("\n" in value or "\r" in value):
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
        if not _is_email(value):
            raise Invalid("must be an email address")
        return value.lower()


@functools.lru_cache(maxsize=4096)
def _is_email(value: str) -> bool:
    """Django's email validation, once per distinct address (an export names the same few
    hundred owners on every row: 2.5 s of a 158,000-account file's parse, checked each time)."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@dataclass(frozen=True)
class Choice(Field):
    """One of a TextChoices' values."""

    choices: Any = ()

    @functools.cached_property
    def allowed(self) -> tuple[str, ...]:
        # Once per field, not per value (the enum's members are slow to walk).
        return tuple(c.value for c in self.choices)

    def clean(self, value, row):
        if value not in self.allowed:
            raise Invalid(f"must be one of {', '.join(self.allowed)}")
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
