"""The list of accounts, riskiest first, with why each has its color: one page, or every row as CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    F,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from accounts import listing
from accounts.models import Account, Color, Segment
from accounts.scoring import inputs, rules
from healthscore import csv_download

# Riskiest first: lowest score, then the largest ARR; unscored accounts last.
DASHBOARD_ORDER = (F("health_score").asc(nulls_last=True), F("arr").desc(), "pk")


def dashboard_order(accounts: QuerySet[Account], sort: str = "") -> QuerySet[Account]:
    """The list's order: riskiest first, or a column the user chose (accounts.listing sorts)."""
    return accounts.order_by(*listing.sort_order(sort, default=DASHBOARD_ORDER))


def _with_list_columns(accounts: QuerySet[Account], today: dt.date) -> QuerySet[Account]:
    """What the list and the CSV show besides the account: the TAM and staleness. Why each has its
    color and its confidence is on the account (the read model), no snapshot is read."""
    return accounts.select_related("tam").annotate(
        is_stale=Case(When(inputs.stale_q(today), then=Value(True)), default=Value(False))
    )


def dashboard_rows(ids: list[int], today: dt.date) -> list[Account]:
    """The accounts with these ids, in this order, with the list columns, .reasons and
    .unfresh (why the confidence is not 100 %): one query.

    The page's ids come from dashboard_order(...).values_list("pk"): sorting bare columns and
    then reading 50 rows keeps every page fast, the last one as much as the first."""
    by_id = {account.pk: account for account in _with_list_columns(Account.objects.filter(pk__in=ids), today)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    for account in rows:
        account.reasons = rules.reasons_list(account.health_reasons)
        account.unfresh = rules.reasons_list(account.confidence_reasons)
    return rows


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
    "Reasons",
    "Confidence",
    "Confidence reasons",
    *listing.OVERRIDE_CSV_HEADER,
)


def dashboard_csv_rows(accounts: QuerySet[Account], today: dt.date, sort: str = ""):
    """The header, then one row per filtered account in list order, streamed from one query
    (csv_download.raw_rows: memory stays flat at any size). Account facts and health only, every
    one a column of the account (the read model): never meeting summaries or notes. Values come
    as the driver gives them, dates as the database's ISO text, and are written as text, the
    same on either database (_money, _tenths). Only text people wrote can start a formula:
    the engine's reasons start with a measure's name or a plain word."""
    yield CSV_HEADER
    segments = dict(Segment.choices)
    labels = {color: rules.color_label(color) for color in (*Color.values, None)}
    tams = {}
    query = (
        _with_list_columns(dashboard_order(accounts, sort), today)
        .annotate(renewal_text=Cast("renewal_date", CharField()), date_text=Cast("health_date", CharField()))
        .values_list(
            "external_id",
            "name",
            "segment",
            "region",
            "public_sector",
            "arr",
            "renewal_text",
            "tam__first_name",
            "tam__last_name",
            "tam__username",
            "health_color",
            "health_score",
            "date_text",
            "is_stale",
            "health_reasons",
            "health_confidence",
            "confidence_reasons",
            *listing.OVERRIDE_COLUMNS,
        )
    )
    safe = csv_download.safe_text
    for row in csv_download.raw_rows(query):
        ext_id, name, segment, region, public, arr, renewal, first, last, username, color, score, date = row[:13]
        stale, reasons, confidence, unfresh, computed, until, by, why = row[13:]
        tam = tams.get((first, last, username))
        if tam is None:
            tam = tams[first, last, username] = safe(f"{first or ''} {last or ''}".strip() or username or "")
        yield (
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
            "yes" if stale else "no",
            reasons.replace("\n", "; ") if reasons else "",
            "" if confidence is None else str(confidence),
            unfresh.replace("\n", "; ") if unfresh else "",
            labels[computed],
            *(listing.override_csv_cells(computed, until, by, why)[1:] if until else ("", "", "")),
        )


# A number as the database driver gives it: SQLite, an int, a float or text; PostgreSQL, a Decimal.


def _money(value) -> str:
    return f"{Decimal(value) if isinstance(value, str) else value:.2f}"


def _tenths(value) -> str:
    return "" if value is None else f"{Decimal(value) if isinstance(value, str) else value:.1f}"
