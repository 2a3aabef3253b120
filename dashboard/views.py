"""The manager's risk dashboard and its CSV export (managers and admins only)."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render

from dashboard import selectors
from dashboard.filters import dashboard_filter_form
from healthscore import clock, permissions

DASHBOARD_PAGE_SIZE = 50


CSV_ROWS_PER_WRITE = 500


def _csv_stream(rows):
    """CSV text in blocks of rows: the download starts at once and the per-write overhead of a
    streaming response is paid per block, not per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % CSV_ROWS_PER_WRITE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _require_manager(user) -> None:
    if not permissions.is_manager(user):
        raise PermissionDenied("The risk dashboard is for managers and admins.")


@login_required
def dashboard(request):
    """Totals, breakdowns, the weekly color chart, recent changes and the filtered list."""
    _require_manager(request.user)
    today = clock.today()
    form = dashboard_filter_form(request.GET)
    filters = form.filters()
    accounts = selectors.dashboard_accounts(filters, today)
    summary = selectors.dashboard_summary(filters, today)
    totals = summary.totals
    paginator = Paginator(selectors.dashboard_order(accounts).values_list("pk", flat=True), DASHBOARD_PAGE_SIZE)
    paginator.count = totals.accounts  # the summary query has counted them already
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.dashboard_rows(list(page.object_list), today)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "form": form,
            "today": today,
            "totals": totals,
            "breakdowns": [
                ("Region", "region", "region", summary.by_region),
                ("Segment", "segment", "segment", summary.by_segment),
                ("TAM", "TAM", "tam", summary.by_tam),
            ],
            "weeks": selectors.dashboard_weekly_colors(filters, today, totals),
            "changes": selectors.dashboard_recent_changes(filters, today),
            "page": page,
        },
    )


@login_required
def dashboard_export(request):
    """The filtered list as CSV (every page), streamed as it is read."""
    _require_manager(request.user)
    today = clock.today()
    form = dashboard_filter_form(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponseBadRequest(f"Invalid filters, nothing exported. {errors}", content_type="text/plain")
    accounts = selectors.dashboard_accounts(form.filters(), today)
    response = StreamingHttpResponse(
        _csv_stream(selectors.dashboard_csv_rows(accounts, today)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="risk-dashboard-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response
