from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from accounts import permissions, scorecard, selectors
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
