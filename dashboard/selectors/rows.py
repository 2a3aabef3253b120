"""The list of accounts, riskiest first, with why each has its color: one page, or every row as CSV."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from django.db.models import Case, F, JSONField, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast

from accounts import listing
from accounts.models import Account, Color, HealthSnapshot, Segment
from accounts.scoring import inputs, rules
from healthscore import csv_download


@lru_cache(maxsize=8192)
def _reasons_of_stored(measures_text: str | None) -> dict:
    """A stored snapshot's measures, decoded once per distinct text: at 100,000 accounts the
    texts repeat (the rules memoise each measure's detail), so the CSV decodes a few thousand."""
    return json.loads(measures_text) if measures_text else {}


def health_reasons(measures: dict | None, sentiment_reason: str | None) -> list[str]:
    """Why an account has its color, in plain words: the yellow and red measures of its latest
    snapshot, and what the TAM last wrote about their sentiment."""
    reasons = []
    for name in rules.MEASURES:
        measure = (measures or {}).get(name) or {}
        color = measure.get("color")
        if name == "sentiment" and sentiment_reason:
            reasons.append(f"{rules.LABELS[name]} {color or 'not set'}: “{sentiment_reason}”")
        elif color in (Color.YELLOW, Color.RED):
            reasons.append(f"{rules.LABELS[name]} {color}: {measure.get('detail', '')}")
    return reasons


# Riskiest first: lowest score, then the largest ARR; unscored accounts last.
DASHBOARD_ORDER = (F("health_score").asc(nulls_last=True), F("arr").desc(), "pk")


def dashboard_order(accounts: QuerySet[Account], sort: str = "") -> QuerySet[Account]:
    """The list's order: riskiest first, or a column the user chose (accounts.listing sorts)."""
    return accounts.order_by(*listing.sort_order(sort, default=DASHBOARD_ORDER))


def _with_list_columns(
    accounts: QuerySet[Account], today: dt.date, *, measures_as_text: bool = False
) -> QuerySet[Account]:
    """What the list and the CSV show besides the account: the TAM, staleness and the latest
    snapshot's measures (a correlated subquery, so callers apply it to one page or one chunk of
    ids, never to a whole sorted table); the TAM's latest reason is on the account (read model).
    The CSV takes the measures as text, decoded once per distinct text (_reasons_of_stored)."""
    latest_snapshot = HealthSnapshot.objects.filter(account=OuterRef("pk"), date=OuterRef("scored_on"))
    measures = Subquery(latest_snapshot.values("measures")[:1], output_field=JSONField())
    columns = {"measures_text": Cast(measures, TextField())} if measures_as_text else {"latest_measures": measures}
    return accounts.select_related("tam").annotate(
        is_stale=Case(When(inputs.stale_q(today), then=Value(True)), default=Value(False)),
        **columns,
    )


def dashboard_rows(ids: list[int], today: dt.date) -> list[Account]:
    """The accounts with these ids, in this order, with the list columns and .reasons: one query.

    The page's ids come from dashboard_order(...).values_list("pk"): sorting bare columns and
    then reading 50 rows keeps every page fast, the last one as much as the first."""
    by_id = {account.pk: account for account in _with_list_columns(Account.objects.filter(pk__in=ids), today)}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    for account in rows:
        account.reasons = health_reasons(account.latest_measures, account.sentiment_reason)
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
    *listing.OVERRIDE_CSV_HEADER,
)
CSV_CHUNK = 2000
_csv_text = csv_download.safe_text


def dashboard_csv_rows(accounts: QuerySet[Account], today: dt.date, sort: str = ""):
    """The header, then one row per filtered account in list order: the ordered ids first, then
    the rows chunk by chunk, so memory stays flat (an id list plus one chunk) at any size.
    Account facts and health only: never meeting summaries or notes."""
    yield CSV_HEADER
    segments = dict(Segment.choices)
    ids = list(dashboard_order(accounts, sort).values_list("pk", flat=True))
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        rows = _with_list_columns(Account.objects.filter(pk__in=chunk), today, measures_as_text=True).values_list(
            "pk",
            "external_id",
            "name",
            "segment",
            "region",
            "public_sector",
            "arr",
            "renewal_date",
            "tam__first_name",
            "tam__last_name",
            "tam__username",
            "health_color",
            "health_score",
            "health_date",
            "is_stale",
            "measures_text",
            "sentiment_reason",
            *listing.OVERRIDE_COLUMNS,
        )
        by_id = {row[0]: row for row in rows}
        for pk in chunk:
            if pk not in by_id:  # deleted while exporting
                continue
            (
                _,
                ext_id,
                name,
                segment,
                region,
                public,
                arr,
                renewal,
                first,
                last,
                username,
                color,
                score,
                date,
                stale,
                m,
                why,
                *override,
            ) = by_id[pk]
            tam = f"{first} {last}".strip() or username or ""
            yield (
                _csv_text(ext_id),
                _csv_text(name),
                segments.get(segment, segment),
                region,
                "yes" if public else "no",
                f"{arr:.2f}",
                renewal.isoformat() if renewal else "",
                _csv_text(tam),
                rules.color_label(color),
                "" if score is None else str(score),
                date.isoformat() if date else "",
                "yes" if stale else "no",
                _csv_text("; ".join(health_reasons(_reasons_of_stored(m), why))),
                *listing.override_csv_cells(*override),
            )
