import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import permissions, scorecard, selectors
from accounts.filters import dashboard_filter_form
from accounts.models import Account
from healthscore import clock


def _require_role(user) -> None:
    if not permissions.can_read_accounts(user):
        raise PermissionDenied("Your login has no Healthscore role yet; ask an admin.")


@login_required
def home(request):
    """TAMs land on their accounts, everyone else on the full list."""
    return redirect("account_list")


@login_required
def account_list(request):
    _require_role(request.user)
    mine = request.GET.get("mine") == "1"
    accounts = selectors.account_list(user=request.user if mine else None).order_by("health_score", "name")
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/account_list.html", {"page": page, "mine": mine})


@login_required
def account_detail(request, external_id: str):
    _require_role(request.user)
    account = get_object_or_404(
        Account.objects.select_related("tam", "sal", "solutions_architect"), external_id=external_id
    )
    result = selectors.account_scorecard(account, clock.today())
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "result": result,
            "missing_explained": scorecard.explain_missing(result),
            "can_edit": permissions.can_edit_account(request.user, account),
        },
    )


# --- Manager risk dashboard ----------------------------------------------------------------

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
    summary = selectors.dashboard_summary(accounts, today)
    totals = summary.totals
    paginator = Paginator(selectors.dashboard_order(accounts).values_list("pk", flat=True), DASHBOARD_PAGE_SIZE)
    paginator.count = totals.accounts  # the summary query has counted them already
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.dashboard_rows(list(page.object_list), today)
    return render(
        request,
        "accounts/dashboard.html",
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
