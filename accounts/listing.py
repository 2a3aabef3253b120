"""Search, filters and sort of every account list, in one place.

Accounts, My accounts, the risk dashboard, Renewals, Triage records and the cockpit all read
their address (GET parameters) through AccountListForm and filter with AccountFilters.q: a
condition on Account, or on a model pointing at it (prefix "account__"), so a list, its
counts and its CSV export always agree, and a view can be bookmarked and shared.

A feature app adds a yes/no filter about its own data (triage: "has open triage") through the
flag registry, filled in its AppConfig.ready(): accounts never imports a feature app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When

from accounts.models import Account, Color, HealthTally, Region, Segment
from accounts.scoring import rules, staleness
from healthscore import permissions

UNSCORED = "none"  # the color filter's key for accounts without a color yet
NO_TAM = "none"  # the TAM filter's key for accounts without a TAM
LIST_COLORS = (Color.RED.value, Color.YELLOW.value, Color.GREEN.value, UNSCORED)
RENEWAL_WINDOWS = (30, 90, 180)  # "renewing in the next N days"
SEARCH_MAX = 100
ANY = ""
YES, NO = "yes", "no"


# --- Flags other apps contribute -----------------------------------------------------------


@dataclass(frozen=True)
class AccountFlag:
    """A yes/no fact about an account that a feature app owns ("has open triage")."""

    key: str  # the address parameter, e.g. "open_triage"
    label: str  # the filter's label, e.g. "Open triage"
    q: Callable[[str], Q]  # prefix -> the condition "the flag is set" on Account


_FLAGS: dict[str, AccountFlag] = {}


def register_flag(flag: AccountFlag) -> None:
    """Called from a feature app's AppConfig.ready(); registering twice replaces."""
    _FLAGS[flag.key] = flag


def registered_flags() -> list[AccountFlag]:
    return [_FLAGS[key] for key in sorted(_FLAGS)]


def flag_q(key: str, prefix: str = "") -> Q:
    """The condition of a registered flag; an unknown flag matches every account."""
    flag = _FLAGS.get(key)
    return flag.q(prefix) if flag else Q()


def flag_annotation(key: str):
    """The flag as a True/False column for a list of accounts, or None when no app registered it."""
    flag = _FLAGS.get(key)
    if flag is None:
        return None
    return Case(When(flag.q(""), then=Value(True)), default=Value(False), output_field=BooleanField())


# --- The filters ---------------------------------------------------------------------------


def color_q(color: str, prefix: str = "") -> Q:
    """An account's current color as a condition; UNSCORED is "no color yet"."""
    if color == UNSCORED:
        return Q(**{f"{prefix}health_color__isnull": True})
    return Q(**{f"{prefix}health_color": color})


def search_q(text: str, prefix: str = "") -> Q:
    """An account whose name or CRM id contains the text (any case)."""
    text = text.strip()
    if not text:
        return Q()
    return Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}external_id__icontains": text})


def renewal_q(today: dt.date, days: int, prefix: str = "") -> Q:
    """Renewing between today and `days` days ahead, both included."""
    return Q(**{f"{prefix}renewal_date__gte": today, f"{prefix}renewal_date__lte": today + dt.timedelta(days=days)})


def confidence_below_q(percent: int, prefix: str = "") -> Q:
    """A scored account whose confidence (rules.confidence, kept on the account) is below the
    percent; an unscored account has no confidence and never matches."""
    return Q(**{f"{prefix}health_confidence__lt": percent})


@dataclass(frozen=True)
class AccountFilters:
    """What a list shows; empty or None means "any". tam=0 means accounts without a TAM."""

    search: str = ""
    colors: tuple[str, ...] = ()  # any of "red", "yellow", "green", UNSCORED
    region: str | None = None
    segment: str | None = None
    tam: int | None = None
    public_sector: bool | None = None
    stale: bool | None = None
    renewal_within: int | None = None  # days
    confidence_below: int | None = None  # percent: scored accounts whose confidence is below it
    flags: tuple[tuple[str, bool], ...] = ()  # (registered flag key, wanted)

    def q(self, today: dt.date, prefix: str = "") -> Q:
        """The filters as a condition on Account, or on a model pointing at it (prefix "account__")."""
        condition = self.dimensions_q(prefix) & search_q(self.search, prefix)
        if self.stale is not None:
            stale = staleness.stale_q(today, prefix)
            condition &= stale if self.stale else ~stale
        if self.renewal_within is not None:
            condition &= renewal_q(today, self.renewal_within, prefix)
        if self.confidence_below is not None:
            condition &= confidence_below_q(self.confidence_below, prefix)
        for key, wanted in self.flags:
            flagged = flag_q(key, prefix)
            condition &= flagged if wanted else ~flagged
        return condition

    def dimensions_q(self, prefix: str = "") -> Q:
        """The filters on the columns an account's daily color counts keep too (colors, region,
        segment, TAM, public sector), as a condition on Account or on such a table."""
        condition = Q()
        if self.colors:
            any_color = Q()
            for color in self.colors:
                any_color |= color_q(color, prefix)
            condition &= any_color
        if self.region:
            condition &= Q(**{f"{prefix}region": self.region})
        if self.segment:
            condition &= Q(**{f"{prefix}segment": self.segment})
        if self.tam is not None:
            condition &= Q(**{f"{prefix}tam__isnull": True}) if self.tam == 0 else Q(**{f"{prefix}tam": self.tam})
        if self.public_sector is not None:
            condition &= Q(**{f"{prefix}public_sector": self.public_sector})
        return condition

    @property
    def by_dimensions_only(self) -> bool:
        """No search, renewal window, confidence or flag: the daily color counts can answer for
        the past (staleness depends on the day, so past counts ignore it)."""
        return not self.search and self.renewal_within is None and self.confidence_below is None and not self.flags

    @property
    def active(self) -> bool:
        return self != AccountFilters()


# --- Sorting -------------------------------------------------------------------------------

# The sortable columns: the address's key, the Account column, and which way "first" means.
# "-key" in the address reverses. Every order ends with the list's own pk (a stable page).
SORT_COLUMNS = {
    "score": "health_score",
    "arr": "arr",
    "renewal": "renewal_date",
    "health_date": "health_date",
    # Days since the last held meeting: the engine keeps the date on the account (read model),
    # so "most days since" is the oldest date first, accounts that never met last.
    "last_meeting": "last_meeting_on",
    # How much of the score rests on fresh data (unscored accounts last either way).
    "confidence": "health_confidence",
    "name": "name",
}
SORT_CHOICES = [
    (ANY, "Riskiest first"),
    ("score", "Score, lowest first"),
    ("-score", "Score, highest first"),
    ("-arr", "ARR, largest first"),
    ("arr", "ARR, smallest first"),
    ("renewal", "Renewal date, soonest first"),
    ("-renewal", "Renewal date, latest first"),
    ("health_date", "Health score date, oldest first"),
    ("-health_date", "Health score date, newest first"),
    ("last_meeting", "Days since last meeting, most first"),
    ("-last_meeting", "Days since last meeting, fewest first"),
    ("confidence", "Confidence, lowest first"),
    ("-confidence", "Confidence, highest first"),
    ("name", "Name, A to Z"),
]


def sort_order(sort: str, prefix: str = "", default: tuple = ("pk",)) -> tuple:
    """The order_by() arguments for a sort key: the column (missing values last), then the pk.
    An empty or unknown key gives the list's default order (which ends with its own pk)."""
    column = SORT_COLUMNS.get(sort.lstrip("-"))
    if column is None:
        return default
    field = F(f"{prefix}{column}")
    ordering = field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)
    return (ordering, "pk")


# --- The form that reads the address -------------------------------------------------------


def tam_choices() -> list[tuple[int, str]]:
    """Everyone who can own accounts, for the TAM filter: the TAM group and the current owners.

    The owners come from the tally the database keeps (HealthTally: every account counted under
    its TAM by triggers), a few thousand rows at most, not from every account: 3-4 ms instead of
    21-26 ms at 100,000 accounts on PostgreSQL, on every list page."""
    owners = HealthTally.objects.filter(tam__isnull=False).values("tam").annotate(n=Sum("accounts")).filter(n__gt=0)
    users = (
        User.objects.filter(Q(groups__name=permissions.TAM) | Q(pk__in=owners.values("tam")))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [(u.pk, u.get_full_name() or u.username) for u in users]


def _yes_no(label_any: str, label_yes: str, label_no: str) -> list[tuple[str, str]]:
    return [(ANY, label_any), (YES, label_yes), (NO, label_no)]


class AccountListForm(forms.Form):
    """The address of an account list: search, filters and sort, every field optional.

    A bad value is shown on its field and not applied (the list still shows); `exclude` drops
    fields a list does not offer (My accounts has no TAM filter)."""

    q = forms.CharField(label="Search", required=False, max_length=SEARCH_MAX, strip=True)
    color = forms.MultipleChoiceField(
        required=False,
        choices=[*((c.value, c.label) for c in (Color.RED, Color.YELLOW, Color.GREEN)), (UNSCORED, "Unscored")],
        widget=forms.CheckboxSelectMultiple,
    )
    segment = forms.ChoiceField(required=False, choices=[(ANY, "All segments"), *Segment.choices])
    region = forms.ChoiceField(required=False, choices=[(ANY, "All regions"), *Region.choices])
    tam = forms.ChoiceField(label="TAM", required=False)
    stale = forms.ChoiceField(
        label="Health score date", required=False, choices=_yes_no("Stale or current", "Stale only", "Current only")
    )
    renewal = forms.ChoiceField(
        label="Renewal",
        required=False,
        choices=[(ANY, "Any renewal date"), *((str(d), f"In the next {d} days") for d in RENEWAL_WINDOWS)],
    )
    public_sector = forms.ChoiceField(
        label="Public sector",
        required=False,
        choices=_yes_no("Public and private", "Public sector only", "Not public sector"),
    )
    confidence_below = forms.IntegerField(
        label="Confidence below (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Scored accounts whose score rests on fresh data for less than this share.",
    )
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def __init__(self, *args, exclude: tuple[str, ...] = (), sorts: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for flag in registered_flags():
            self.fields[flag.key] = forms.ChoiceField(
                label=flag.label,
                required=False,
                choices=_yes_no("Any", f"{flag.label}: yes", f"{flag.label}: no"),
            )
        # The sort comes last: it is not a filter.
        self.fields["sort"] = self.fields.pop("sort")
        if sorts is not None:
            self.fields["sort"].choices = sorts
        for name in exclude:
            self.fields.pop(name, None)
        if "tam" in self.fields:
            self.fields["tam"].choices = [
                (ANY, "All TAMs"),
                (NO_TAM, "No TAM"),
                *((str(pk), n) for pk, n in tam_choices()),
            ]

    def filters(self) -> AccountFilters:
        """The valid filters; a field with an error is shown with its message and not applied."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data

        def yes_no(name):
            value = data.get(name)
            return None if not value else value == YES

        tam = data.get("tam")
        renewal = data.get("renewal")
        return AccountFilters(
            search=data.get("q") or "",
            colors=tuple(c for c in LIST_COLORS if c in (data.get("color") or ())),
            region=data.get("region") or None,
            segment=data.get("segment") or None,
            tam=None if not tam else 0 if tam == NO_TAM else int(tam),
            public_sector=yes_no("public_sector"),
            stale=yes_no("stale"),
            renewal_within=int(renewal) if renewal else None,
            confidence_below=data.get("confidence_below"),
            flags=tuple((f.key, yes_no(f.key)) for f in registered_flags() if yes_no(f.key) is not None),
        )

    @property
    def sort_key(self) -> str:
        """The chosen sort ("" for the list's default order)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get("sort") or ""

    def error_text(self) -> str:
        """Every field error on one line (a refused CSV export says it)."""
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in self.errors.items())


class AccountSearchForm(forms.Form):
    """The header's search box: an account's name or CRM id, or part of it."""

    q = forms.CharField(label="Find an account", required=False, max_length=SEARCH_MAX, strip=True)


def account_list_form(params, **kwargs) -> AccountListForm:
    """The bound, validated list form for a request's GET parameters."""
    form = AccountListForm(params, **kwargs)
    form.is_valid()
    return form


def filtered_accounts(filters: AccountFilters, today: dt.date, *, readable_by=None) -> QuerySet[Account]:
    """The accounts matching the filters; with readable_by, only those that user may open."""
    qs = Account.objects.filter(filters.q(today))
    if readable_by is not None:
        qs = qs.filter(permissions.accounts_readable_q(readable_by))
    return qs


def color_counts(accounts: QuerySet[Account]) -> dict[str, int]:
    """How many of the accounts have each color (UNSCORED for none): one GROUP BY query."""
    counts = dict.fromkeys(LIST_COLORS, 0)
    for color, n in (
        accounts.order_by().values_list("health_color").annotate(n=Count("pk")).values_list("health_color", "n")
    ):
        counts[color or UNSCORED] += n
    return counts


def color_chips(counts: dict[str, int], chosen: tuple[str, ...]) -> list[dict]:
    """The summary chips above a list (Red 9 · Yellow 4 …), each a link that filters by it."""
    return [
        {"color": color, "label": rules.color_label(None if color == UNSCORED else color), "count": counts[color],
         "chosen": color in chosen}
        for color in LIST_COLORS
    ]  # fmt: skip
