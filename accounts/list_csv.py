"""The account lists' CSV: the cells every account CSV shares (the Accounts list's export, the
risk dashboard's, which adds why), read in one streamed query; and the override columns every
CSV that exports a color adds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from accounts.models import Account, Color, Segment
from accounts.scoring import rules, staleness
from healthscore import csv_download

# Every CSV that exports the color adds these, from the account's read model (the override in
# force, accounts.scoring.services), so an overridden color is never exported unmarked.
OVERRIDE_CSV_HEADER = ("Computed color", "Override until", "Override by", "Override reason")
OVERRIDE_COLUMNS = ("computed_color", "override_until", "override_by", "override_reason")

CSV_HEADER = (
    "External id",
    "Name",
    "Segment",
    "Region",
    "Public sector",
    "ARR",
    "Renewal date",
    "TAM",
    "Color",
    "Score",
    "Health score date",
    "Stale",
    "Confidence",
    *OVERRIDE_CSV_HEADER,
)


def override_csv_cells(computed: str | None, until, by: str | None, reason: str | None) -> tuple:
    """The override columns of one row: the computed color always, the rest while one is in force."""
    return (
        rules.color_label(computed),
        str(until) if until else "",  # a date (or its ISO text, as a raw cursor may give it)
        csv_download.safe_text(by or ""),
        csv_download.safe_text(reason or ""),
    )


def accounts_csv_rows(accounts: QuerySet[Account], order: tuple, today: dt.date):
    """The header, then one row per account in the list's order (csv_account_cells)."""
    yield CSV_HEADER
    for cells, _ in csv_account_cells(accounts.order_by(*order), today):
        yield cells


def csv_account_cells(accounts: QuerySet[Account], today: dt.date, extra: tuple[str, ...] = ()):
    """Per account, in the queryset's order: the cells every account CSV shares (CSV_HEADER's
    columns) and the values of the `extra` columns as the driver gives them.

    One query streamed (csv_download.raw_rows): memory stays flat at any size. Values come as the
    driver gives them (Django's per-value conversion was a third of a 100,000-row export's time),
    dates as the database's ISO text, written the same on either database (_money, _tenths)."""
    segments = dict(Segment.choices)
    labels = {color: rules.color_label(color) for color in (*Color.values, None)}
    tams = {}
    safe = csv_download.safe_text
    query = accounts.annotate(
        is_stale=staleness.stale_flag(today),
        renewal_text=Cast("renewal_date", CharField()),
        date_text=Cast("health_date", CharField()),
    ).values_list(
        "external_id", "name", "segment", "region", "public_sector", "arr", "renewal_text",
        "tam__first_name", "tam__last_name", "tam__username", "health_color", "health_score", "date_text",
        "is_stale", "health_confidence", *OVERRIDE_COLUMNS, *extra,
    )  # fmt: skip
    for row in csv_download.raw_rows(query):
        ext_id, name, segment, region, public, arr, renewal, first, last, username = row[:10]
        color, score, date, is_stale, confidence, computed, until, by, why = row[10:19]
        tam = tams.get((first, last, username))
        if tam is None:
            tam = tams[first, last, username] = safe(f"{first or ''} {last or ''}".strip() or username or "")
        yield (
            (
                safe(ext_id),
                safe(name),
                segments.get(segment, segment),
                region,
                "yes" if public else "no",
                _money(arr),
                renewal or "",
                tam,
                labels[color],
                _tenths(score),
                date or "",
                "yes" if is_stale else "no",
                "" if confidence is None else str(confidence),
                # No override in force (the engine sets until, by and why together): no text to guard.
                *(override_csv_cells(computed, until, by, why) if until else (labels[computed], "", "", "")),
            ),
            row[19:],
        )


# A number as the database driver gives it: SQLite, an int, a float or text; PostgreSQL, a Decimal.


def _money(value) -> str:
    return f"{Decimal(value) if isinstance(value, str) else value:.2f}"


def _tenths(value) -> str:
    return "" if value is None else f"{Decimal(value) if isinstance(value, str) else value:.1f}"
