"""The list of accounts, riskiest first, with why each has its color: one page, or every row as CSV."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Case,
    F,
    FilteredRelation,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from accounts import listing
from accounts.models import Account, Color, HealthSnapshot, Segment
from accounts.scoring import inputs, rules
from healthscore import csv_download


def health_reasons(measures: dict | None, sentiment_reason: str | None) -> list[str]:
    """Why an account has its color, in plain words: the yellow and red measures of its latest
    snapshot, and what the TAM last wrote about their sentiment."""
    others, sentiment_color, sentiment_detail = _measure_reasons(measures)
    return [*others, *_sentiment_reason(sentiment_color, sentiment_detail, sentiment_reason)]


def _measure_reasons(measures: dict | None) -> tuple[tuple[str, ...], str | None, str | None]:
    """A snapshot's measures as (the reasons of the yellow and red measures other than the TAM
    sentiment, in scorecard order; the sentiment's color; its reason when yellow or red)."""
    others = []
    sentiment_color = sentiment_detail = None
    for name in rules.MEASURES:
        measure = (measures or {}).get(name) or {}
        color = measure.get("color")
        reason = _reason(name, color, measure.get("detail"))
        if name == "sentiment":
            sentiment_color, sentiment_detail = color, reason
        elif reason:
            others.append(reason)
    return tuple(others), sentiment_color, sentiment_detail


def _sentiment_reason(color: str | None, detail: str | None, written: str | None) -> tuple[str, ...]:
    """What the TAM wrote about their sentiment, or else the sentiment measure's own reason."""
    if written:
        return (f"{rules.LABELS['sentiment']} {color or 'not set'}: “{written}”",)
    return (detail,) if detail else ()


def _reason(name: str, color: str | None, detail: str | None) -> str | None:
    """A yellow or red measure in words ("Support red: 17 tickets opened ..."); None otherwise."""
    return f"{rules.LABELS[name]} {color}: {detail or ''}" if color in (Color.YELLOW, Color.RED) else None


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
    The CSV takes each measure's color and detail as text, extracted by the database from the
    snapshot joined on (account, scored_on): no JSON document is decoded per row. Why the
    confidence is not 100 % comes from the same snapshot (the reasons the engine stored)."""
    accounts = accounts.select_related("tam").annotate(
        is_stale=Case(When(inputs.stale_q(today), then=Value(True)), default=Value(False))
    )
    if measures_as_text:
        latest = FilteredRelation("snapshots", condition=Q(snapshots__date=F("scored_on")))
        return accounts.annotate(latest=latest).annotate(
            **{
                f"m_{name}_{key}": KeyTextTransform(key, KeyTransform(name, "latest__measures"))
                for name in rules.MEASURES
                for key in ("color", "detail")
            },
            confidence_text=Cast(KeyTransform("confidence_reasons", "latest__inputs"), TextField()),
        )
    latest_snapshot = HealthSnapshot.objects.filter(account=OuterRef("pk"), date=OuterRef("scored_on"))
    return accounts.annotate(
        latest_measures=Subquery(latest_snapshot.values("measures")[:1], output_field=JSONField()),
        confidence_reasons=Subquery(latest_snapshot.values("inputs__confidence_reasons")[:1], output_field=JSONField()),
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
    "Confidence",
    "Confidence reasons",
    *listing.OVERRIDE_CSV_HEADER,
)
CSV_CHUNK = 2000
_csv_text = csv_download.safe_text


def dashboard_csv_rows(accounts: QuerySet[Account], today: dt.date, sort: str = ""):
    """The header, then one row per filtered account in list order: the ordered ids first, then
    the rows chunk by chunk, so memory stays flat (an id list plus one chunk) at any size.
    Account facts and health only: never meeting summaries or notes.

    A chunk's rows are read through the database cursor as the driver gives them (Django's
    per-value conversion was a third of the export's time at 100,000 rows) and written as text,
    the same on either database (_money, _tenths, _day)."""
    yield CSV_HEADER
    segments = dict(Segment.choices)
    ids = list(dashboard_order(accounts, sort).values_list("pk", flat=True))
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        query = _with_list_columns(
            Account.objects.filter(pk__in=chunk).order_by(), today, measures_as_text=True
        ).values_list(
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
            "sentiment_reason",
            *(f"m_{name}_{key}" for name in rules.MEASURES for key in ("color", "detail")),
            "health_confidence",
            "confidence_text",
            *listing.OVERRIDE_COLUMNS,
        )
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            by_id = {row[0]: row for row in cursor.fetchall()}
        for pk in chunk:
            if pk not in by_id:  # deleted while exporting
                continue
            row = by_id[pk]
            (_, ext_id, name, segment, region, public, arr, renewal, first, last, username, color, score, date) = row[
                :14
            ]
            stale, why, engagement, engagement_why, roi, roi_why, support, support_why, sentiment, sentiment_why = row[
                14:24
            ]
            confidence, unfresh, *override = row[24:]
            tam = f"{first or ''} {last or ''}".strip() or username or ""
            # SQLite extracts a JSON null as the text "null" (PostgreSQL as NULL): no sentiment.
            sentiment = None if sentiment == "null" else sentiment
            yield (
                _csv_text(ext_id),
                _csv_text(name),
                segments.get(segment, segment),
                region,
                "yes" if public else "no",
                _money(arr),
                _day(renewal),
                _csv_text(tam),
                rules.color_label(color),
                _tenths(score),
                _day(date),
                "yes" if stale else "no",
                _csv_text(
                    "; ".join(
                        [
                            reason
                            for reason in (
                                _reason("engagement", engagement, engagement_why),
                                _reason("roi", roi, roi_why),
                                _reason("support", support, support_why),
                            )
                            if reason
                        ]
                        + list(_sentiment_reason(sentiment, _reason("sentiment", sentiment, sentiment_why), why))
                    )
                ),
                "" if confidence is None else str(confidence),
                _csv_text("; ".join((json.loads(unfresh) if unfresh else None) or ())),
                *listing.override_csv_cells(*override),
            )


# A column as the database driver gives it: SQLite, a number as int or float and a date as a
# date (Django registers the converter) or text; PostgreSQL, a Decimal and a date.


def _money(value) -> str:
    return f"{Decimal(value) if isinstance(value, str) else value:.2f}"


def _tenths(value) -> str:
    return "" if value is None else f"{Decimal(value) if isinstance(value, str) else value:.1f}"


def _day(value) -> str:
    return "" if value is None else str(value)
