"""The manager's risk dashboard and its CSV export (managers and admins only); Renewals (TAMs
their own accounts, managers every account) and its CSV export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render

from accounts import listing
from dashboard import selectors
from dashboard.filters import RenewalWindowForm, dashboard_filter_form
from dashboard.selectors import renewals
from healthscore import clock, csv_download, permissions

DASHBOARD_PAGE_SIZE = 50


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
    paginator = Paginator(
        selectors.dashboard_order(accounts, form.sort_key).values_list("pk", flat=True), DASHBOARD_PAGE_SIZE
    )
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
        return HttpResponseBadRequest(
            f"Invalid filters, nothing exported. {form.error_text()}", content_type="text/plain"
        )
    accounts = selectors.dashboard_accounts(form.filters(), today)
    return csv_download.csv_response(
        selectors.dashboard_csv_rows(accounts, today, form.sort_key), f"risk-dashboard-{today.isoformat()}.csv"
    )


# --- Renewals -----------------------------------------------------------------------------


def _renewals_forms(request):
    """The window (30, 90 or 180 days; a bad value falls back to 90 with its message) and the
    list's filters; a TAM has no TAM filter (they see their own accounts)."""
    window = RenewalWindowForm(request.GET)
    within = window.cleaned_data["within"] if window.is_valid() else renewals.DEFAULT_WINDOW
    exclude = ("renewal",) if permissions.is_manager(request.user) else ("renewal", "tam")
    form = listing.account_list_form(request.GET, exclude=exclude)
    return window, within, form


@login_required
def renewals_page(request):
    """Accounts renewing soon, riskiest first: a TAM's own, every account for managers."""
    permissions.require_role(request.user)
    today = clock.today()
    window, within, form = _renewals_forms(request)
    accounts = renewals.renewal_accounts(filters=form.filters(), within=within, today=today, user=request.user)
    totals = renewals.renewal_totals(accounts)
    paginator = Paginator(renewals.renewals_order(accounts, form.sort_key).values_list("pk", flat=True), 50)
    paginator.count = totals["n"]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = renewals.renewal_rows(list(page.object_list), today)
    return render(
        request,
        "dashboard/renewals.html",
        {
            "window": window,
            "within": within,
            "windows": listing.RENEWAL_WINDOWS,
            "form": form,
            "totals": totals,
            "page": page,
            "today": today,
            "trend_days": renewals.TREND_DAYS,
            "is_manager_view": permissions.is_manager(request.user),
            "keep": [("within", within)],
        },
    )


@login_required
def renewals_export(request):
    """The renewals list as CSV, with the same window and filters (every page)."""
    permissions.require_role(request.user)
    today = clock.today()
    window, within, form = _renewals_forms(request)
    if not (window.is_valid() and form.is_valid()):
        errors = "; ".join(filter(None, [form.error_text(), "within: " + " ".join(window.errors.get("within", []))]))
        return HttpResponseBadRequest(f"Invalid filters, nothing exported. {errors}", content_type="text/plain")
    accounts = renewals.renewal_accounts(filters=form.filters(), within=within, today=today, user=request.user)
    return csv_download.csv_response(
        renewals.renewals_csv_rows(accounts, today, form.sort_key), f"renewals-{within}-days-{today.isoformat()}.csv"
    )
