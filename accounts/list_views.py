"""The account lists: where a user lands, every account (search, filters, sort, 50 a page, and
its CSV), and the header's search."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, F, When
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render

from accounts import list_csv, listing
from accounts.models import Account
from healthscore import clock, csv_download, permissions


@login_required
def home(request):
    """TAMs land on their accounts, managers on the risk dashboard, anyone else on the list."""
    if permissions.is_tam(request.user):
        return redirect("my_accounts")
    if permissions.is_manager(request.user):
        return redirect("dashboard")
    return redirect("account_list")


# Riskiest first; unscored accounts first on every database (SQLite and PostgreSQL differ).
ACCOUNT_LIST_ORDER = (F("health_score").asc(nulls_first=True), "name", "pk")
SEARCH_RESULTS = 25


def _account_list_query(request, today):
    """The account list's form, filtered accounts (only "mine" with ?mine=1) and order."""
    mine = request.GET.get("mine") == "1"
    form = listing.account_list_form(request.GET)
    filters = form.filters()
    accounts = listing.filtered_accounts(filters, today, readable_by=request.user)
    if mine:
        accounts = accounts.filter(tam=request.user)
    return mine, form, filters, accounts, listing.sort_order(form.sort_key, default=ACCOUNT_LIST_ORDER)


@login_required
def account_list(request):
    """Every account: search, filters and sort from the address, 50 a page."""
    permissions.require_role(request.user)
    today = clock.today()
    mine, form, filters, accounts, order = _account_list_query(request, today)
    # Sorted on bare columns, one page read with its TAM: the last page as fast as the first.
    page = Paginator(accounts.select_related("tam").order_by(*order), 50).get_page(request.GET.get("page"))
    unfiltered_by_color = listing.filtered_accounts(replace(filters, colors=()), today, readable_by=request.user)
    if mine:
        unfiltered_by_color = unfiltered_by_color.filter(tam=request.user)
    chips = listing.color_chips(listing.color_counts(unfiltered_by_color), filters.colors)
    return render(
        request,
        "accounts/account_list.html",
        {
            "page": page,
            "mine": mine,
            "form": form,
            "chips": chips,
            "keep": [("mine", "1")] if mine else [],
            "today": today,
        },
    )


@login_required
def account_list_export(request):
    """The account list as CSV: the same search, filters and sort (every page)."""
    permissions.require_role(request.user)
    today = clock.today()
    mine, form, _, accounts, order = _account_list_query(request, today)
    if not form.is_valid():
        return HttpResponseBadRequest(
            f"Invalid filters, nothing exported. {form.error_text()}", content_type="text/plain"
        )
    name = "my-accounts" if mine else "accounts"
    return csv_download.csv_response(
        list_csv.accounts_csv_rows(accounts, order, today), f"{name}-{today.isoformat()}.csv"
    )


@login_required
def account_search(request):
    """The header's search: accounts whose name or CRM id contains the text, among those the
    user may open; an exact CRM id or a single match opens the account at once."""
    form = listing.AccountSearchForm(request.GET)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    results, more = [], False
    if text:
        found = (
            Account.objects.filter(permissions.accounts_readable_q(request.user), listing.search_q(text))
            .select_related("tam")
            .order_by(
                Case(When(external_id__iexact=text, then=0), When(name__iexact=text, then=1), default=2), "name", "pk"
            )
        )
        results = list(found[: SEARCH_RESULTS + 1])
        more = len(results) > SEARCH_RESULTS
        results = results[:SEARCH_RESULTS]
        exact = [a for a in results if a.external_id.lower() == text.lower()]
        if len(results) == 1 or len(exact) == 1:
            return redirect("account_detail", external_id=(exact or results)[0].external_id)
    return render(request, "accounts/search.html", {"form": form, "text": text, "results": results, "more": more})
