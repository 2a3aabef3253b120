"""The list of accounts, riskiest first, with why each has its color: one page, or every row as CSV."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    F,
    QuerySet,
)

from accounts import list_csv, listing
from accounts.models import Account
from accounts.scoring import rules, staleness

# Riskiest first: lowest score, then the largest ARR; unscored accounts last.
DASHBOARD_ORDER = (F("health_score").asc(nulls_last=True), F("arr").desc(), "pk")


def dashboard_order(accounts: QuerySet[Account], sort: str = "") -> QuerySet[Account]:
    """The list's order: riskiest first, or a column the user chose (accounts.listing sorts)."""
    return accounts.order_by(*listing.sort_order(sort, default=DASHBOARD_ORDER))


def _with_list_columns(accounts: QuerySet[Account], today: dt.date) -> QuerySet[Account]:
    """What the list and the CSV show besides the account: the TAM and staleness. Why each has its
    color and its confidence is on the account (the read model), no snapshot is read."""
    return accounts.select_related("tam").annotate(is_stale=staleness.stale_flag(today))


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


# The account lists' columns, with why after the stale flag and after the confidence.
CSV_HEADER = (
    *list_csv.CSV_HEADER[:12],
    "Reasons",
    list_csv.CSV_HEADER[12],
    "Confidence reasons",
    *list_csv.CSV_HEADER[13:],
)


def dashboard_csv_rows(accounts: QuerySet[Account], today: dt.date, sort: str = ""):
    """The header, then one row per filtered account in list order: the cells every account CSV
    has (accounts.list_csv.csv_account_cells, one streamed query) with why each has its color and
    its confidence, from the account (the read model). Account facts and health only: never
    meeting summaries or notes. The engine's reasons start with a measure's name or a plain
    word, never a formula, and only the engine writes them."""
    yield CSV_HEADER
    for cells, (reasons, unfresh) in list_csv.csv_account_cells(
        dashboard_order(accounts, sort), today, ("health_reasons", "confidence_reasons")
    ):
        yield (
            *cells[:12],
            reasons.replace("\n", "; ") if reasons else "",
            cells[12],
            unfresh.replace("\n", "; ") if unfresh else "",
            *cells[13:],
        )
