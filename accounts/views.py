import csv

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


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value


def _require_manager(user) -> None:
    if not permissions.is_manager(user):
        raise PermissionDenied("The risk dashboard is for managers and admins.")


@login_required
def dashboard(request):
    """Totals, breakdowns, the weekly color chart, recent changes and the filtered list."""
    _require_manager(request.user)
    today = clock.today()
    form = dashboard_filter_form(request.GET)
    accounts = selectors.dashboard_accounts(form.filters(), today)
    totals = selectors.dashboard_totals(accounts, today)
    paginator = Paginator(selectors.dashboard_list(accounts, today), DASHBOARD_PAGE_SIZE)
    paginator.count = totals.accounts  # the totals query has counted them already
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.with_reasons(page.object_list)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "form": form,
            "today": today,
            "totals": totals,
            "breakdowns": [
                ("Region", "region", "region", selectors.dashboard_breakdown(accounts, "region")),
                ("Segment", "segment", "segment", selectors.dashboard_breakdown(accounts, "segment")),
                ("TAM", "TAM", "tam", selectors.dashboard_breakdown(accounts, "tam")),
            ],
            "weeks": selectors.dashboard_weekly_colors(accounts, today, totals),
            "changes": selectors.dashboard_recent_changes(accounts, today),
            "page": page,
            "colors": selectors.DASHBOARD_COLORS,
        },
    )


@login_required
def dashboard_export(request):
    """The filtered list as CSV (every page), streamed row by row."""
    _require_manager(request.user)
    today = clock.today()
    form = dashboard_filter_form(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponseBadRequest(f"Invalid filters, nothing exported. {errors}", content_type="text/plain")
    accounts = selectors.dashboard_accounts(form.filters(), today)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in selectors.dashboard_csv_rows(accounts, today)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="risk-dashboard-{today.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    return response
