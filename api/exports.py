"""Downloads of the account list, the scorecards and an account's history as CSV or JSON
(tablib). The same rules as the pages: any Healthscore role reads the list and the scorecards,
the account team too reads its account's history. Meeting notes are never in an export."""

from __future__ import annotations

import tablib
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404

from accounts import history as account_history
from accounts import selectors as account_selectors
from accounts.models import Account
from accounts.scoring import inputs, rules
from api import selectors
from api.serializers import AccountFilterSerializer, AccountSerializer, HistoryItemSerializer
from healthscore import clock, csv_download, importing, permissions

CONTENT_TYPES = {"csv": csv_download.CONTENT_TYPE, "json": "application/json"}


def _filtered_accounts(request):
    """The account list's filters from the query string; None when one is bad."""
    filters = AccountFilterSerializer(data=request.GET)
    if not filters.is_valid():
        return None
    wanted = {k: v for k, v in filters.validated_data.items() if k not in ("cursor", "page_size")}
    return selectors.accounts_filtered(today=clock.today(), **wanted).order_by("external_id")


def _download(rows: list[dict], fmt: str, name: str) -> HttpResponse:
    dataset = tablib.Dataset()
    if rows:
        dataset.headers = list(rows[0])
        for row in rows:
            values = [_cell(v, fmt) for v in row.values()]
            dataset.append(values)
    body = dataset.export(fmt) if rows else ("[]" if fmt == "json" else "")
    # A CSV opens cleanly in Excel only with a UTF-8 byte order mark (healthscore.csv_download).
    response = HttpResponse(csv_download.BOM + body if fmt == "csv" else body)
    response["Content-Type"] = CONTENT_TYPES[fmt]
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _cell(value, fmt: str):
    # A cell a spreadsheet would run as a formula (an account named "=HYPERLINK(...)" in the CRM).
    return csv_download.safe_text(value) if fmt == "csv" and isinstance(value, str) else value


def _bad_format(fmt: str):
    return None if fmt in CONTENT_TYPES else HttpResponseBadRequest("Export as csv or json.")


@login_required
def accounts_export(request, fmt: str):
    """The account list (the API's filters apply), one row per account."""
    permissions.require_role(request.user)
    accounts = _filtered_accounts(request)
    if (refused := _bad_format(fmt)) or accounts is None:
        return refused or HttpResponseBadRequest("Unknown filter value.")
    rows = AccountSerializer(accounts, many=True, context={"today": clock.today()}).data
    return _download([dict(r) for r in rows], fmt, "accounts")


@login_required
def scorecards_export(request, fmt: str):
    """Today's scorecard of every account (the list's filters apply): each measure's color,
    weight, effective weight and reason, and the confidence with its reasons. A fixed number of
    queries for any number of accounts."""
    permissions.require_role(request.user)
    accounts = _filtered_accounts(request)
    if (refused := _bad_format(fmt)) or accounts is None:
        return refused or HttpResponseBadRequest("Unknown filter value.")
    today = clock.today()
    rows = []
    for account, result, confidence in inputs.scorecards_explain(accounts, today):
        row = {"id": account.external_id, "name": account.name, "as_of": today.isoformat()}
        row["score"] = None if result.score is None else str(result.score_rounded)
        row["color"] = result.color
        row["confidence"] = None if confidence is None else confidence.percent
        row["confidence_reasons"] = "" if confidence is None else "; ".join(confidence.reasons)
        for measure in result.measures:
            row[f"{measure.name}_color"] = measure.color
            row[f"{measure.name}_weight"] = measure.weight
            row[f"{measure.name}_effective_weight"] = str(rules.round2(measure.effective_weight))
            row[f"{measure.name}_detail"] = measure.detail
        rows.append(row)
    return _download(rows, fmt, f"scorecards-{today:%Y-%m-%d}")


@login_required
def history_export(request, external_id: str, fmt: str):
    """One account's history of changes, as on its page."""
    if not importing.EXTERNAL_ID.fullmatch(external_id):
        return HttpResponseBadRequest("No account has this id.")
    account = get_object_or_404(Account, external_id=external_id)
    permissions.require_account_read(request.user, account)
    if refused := _bad_format(fmt):
        return refused
    snapshots = account_selectors.account_snapshots(account=account, today=clock.today())
    items = account_history.account_history(account=account, snapshots=snapshots, limit=10_000)
    rows = [dict(r) for r in HistoryItemSerializer(items, many=True).data]
    return _download(rows, fmt, f"history-{account.external_id}")
