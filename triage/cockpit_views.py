"""The TAM's cockpit of CTAs and the actions on them, one CTA or several at once.

Every view checks on the server who may see (any Healthscore role) and who may act (the
account's TAM, or an admin), validates a form, calls one service and redirects. An action that
fails from the cockpit shows the cockpit again, the error on the card (or the bulk form) it is
about, the filters kept.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import listing
from accounts.models import Account
from healthscore import clock, permissions
from triage import selectors, services
from triage.forms import ConfirmForm, CtaBulkForm, CtaDismissForm, CtaSnoozeForm
from triage.models import Cta, CtaKind
from triage.snooze import SnoozePreset

COCKPIT_TABS = (("open", "Open"), ("snoozed", "Snoozed"), ("done", "Done"))
SORTS = (
    ("priority", "Priority (red first, then ARR, then age)"),
    ("oldest", "Oldest first"),
    ("arr", "ARR, largest first"),
    # The account lists' column sorts (accounts.listing), applied to each CTA's account.
    ("score", "Score, lowest first"),
    ("renewal", "Renewal date, soonest first"),
    ("health_date", "Health score date, oldest first"),
    ("last_meeting", "Days since last meeting, most first"),
)


def next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def form_apply(form, action) -> bool:
    """Run a service with the form's data; its ValidationError becomes the form's errors."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


def _cockpit_params(request) -> QueryDict:
    """The cockpit's filters: the address's on a GET; after a failed action, those of the
    cockpit page it was sent from (its `next`)."""
    if request.method == "GET":
        return request.GET
    target = urlsplit(next_or(request, ""))
    return QueryDict(target.query) if target.path == reverse("triage:cockpit") else QueryDict()


def _cockpit_page(request, *, status: int = 200, card_errors=None, bulk_form=None, card_forms=None):
    permissions.require_role(request.user)
    # A NUL byte is fine on SQLite and a 500 on PostgreSQL: such a filter matches nothing.
    params = QueryDict(mutable=True)
    for key, values in _cockpit_params(request).lists():
        params.setlist(key, [value for value in values if "\x00" not in value])
    state = params.get("state", "open")
    if state not in dict(COCKPIT_TABS):
        state = "open"
    is_manager = permissions.is_manager(request.user)
    tam = None
    if is_manager and params.get("tam"):
        tam = User.objects.filter(username=params["tam"]).first()
    kind = params.get("kind", "") if params.get("kind") in CtaKind.values else ""
    account = Account.objects.filter(external_id=params["account"]).first() if params.get("account") else None
    sort = params.get("sort") if params.get("sort") in dict(SORTS) else "priority"
    today = clock.today()
    # The account lists' search and filters (the cockpit keeps its own TAM filter and sorts).
    list_form = listing.account_list_form(params, exclude=("tam", "sort"))
    account_filters = list_form.filters()
    ctas = selectors.ctas_for_cockpit(
        user=request.user,
        state=state,
        tam=tam,
        kind=kind,
        account=account,
        sort=sort,
        account_filters=account_filters,
        today=today,
    )
    page = Paginator(ctas, 50).get_page(params.get("page"))
    counts = selectors.cockpit_counts(
        user=request.user, tam=tam, kind=kind, account=account, account_filters=account_filters, today=today
    )
    filters = QueryDict(mutable=True)
    for key, value in (("tam", tam.username if tam else ""), ("kind", kind), ("account", params.get("account", ""))):
        if value:
            filters[key] = value
    for name in list_form.fields:
        values = [v for v in params.getlist(name) if v]
        if values and name not in list_form.errors:
            filters.setlist(name, values)
    if sort != "priority":
        filters["sort"] = sort
    return render(
        request,
        "triage/cockpit.html",
        {
            "page": page,
            "state": state,
            "tabs": [(key, label, counts[key]) for key, label in COCKPIT_TABS],
            "tam": tam,
            "tams": selectors.tams_with_accounts() if is_manager else None,
            "is_manager_view": is_manager,
            "kind": kind,
            "kinds": CtaKind.choices,
            "account": account,
            "accounts": selectors.cockpit_accounts(user=request.user, tam=tam),
            "sort": sort,
            "sort_label": dict(SORTS)[sort],
            "sorts": SORTS,
            "list_form": list_form,
            "filters": filters.urlencode(),
            # Where actions return to: this tab with its filters (also after a failed POST).
            "page_path": reverse("triage:cockpit") + (f"?{params.urlencode()}" if params else ""),
            "today": today,
            "presets": SnoozePreset.choices,
            "bulk_form": bulk_form,
            "card_errors": card_errors or {},
            "card_forms": card_forms or {},
            "can_bulk": state != "done" and not (is_manager and not permissions.is_admin(request.user)),
        },
        status=status,
    )


@login_required
def cockpit(request):
    return _cockpit_page(request)


def _cta_action(request, pk: int, form_class, action, success: str):
    cta = get_object_or_404(Cta.objects.select_related("account", "account__tam"), pk=pk)
    permissions.require_account_edit(request.user, cta.account)
    form = form_class(request.POST)
    if form_apply(form, lambda data: action(cta, data)):
        messages.success(request, success.format(account=cta.account.name))
        return redirect(next_or(request, reverse("triage:cockpit")))
    if urlsplit(next_or(request, "")).path == reverse("triage:cockpit"):
        errors = [message for messages_ in form.errors.values() for message in messages_]
        return _cockpit_page(request, status=400, card_errors={cta.pk: errors}, card_forms={cta.pk: form})
    return render(
        request,
        "triage/cta_action.html",
        {"cta": cta, "form": form, "next": next_or(request, reverse("triage:cockpit"))},
        status=400,
    )


@login_required
@require_POST
def cta_open_triage(request, pk: int):
    cta = get_object_or_404(Cta.objects.select_related("account", "account__tam"), pk=pk)
    permissions.require_account_edit(request.user, cta.account)
    try:
        record = services.cta_triage_open(cta=cta, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(next_or(request, reverse("triage:cockpit")))
    messages.success(request, f"Triage record opened for {cta.account.name}.")
    return redirect("triage:record_detail", pk=record.pk)


@login_required
@require_POST
def cta_dismiss(request, pk: int):
    return _cta_action(
        request,
        pk,
        CtaDismissForm,
        lambda cta, data: services.cta_dismiss(cta=cta, by=request.user, reason=data["reason"]),
        "Dismissed: no triage for {account}.",
    )


@login_required
@require_POST
def cta_snooze(request, pk: int):
    return _cta_action(
        request,
        pk,
        CtaSnoozeForm,
        lambda cta, data: services.cta_snooze(cta=cta, by=request.user, until=data["until"]),
        "Snoozed the CTA for {account}.",
    )


@login_required
@require_POST
def cta_done(request, pk: int):
    return _cta_action(
        request,
        pk,
        ConfirmForm,
        lambda cta, data: services.cta_done(cta=cta, by=request.user),
        "Marked the CTA for {account} done.",
    )


@login_required
@require_POST
def cta_bulk(request):
    """Snooze or mark done the chosen CTAs in one action: all of them, or none and every
    problem shown on its card."""
    permissions.require_role(request.user)
    form = CtaBulkForm(request.POST)
    card_errors = {}
    if form.is_valid():
        chosen = selectors.cockpit_ctas_chosen(ids=form.cleaned_data["cta"])
        for cta in chosen:
            permissions.require_account_edit(request.user, cta.account)
        data = form.cleaned_data
        try:
            if len(chosen) != len(data["cta"]):
                raise ValidationError("Some of the chosen CTAs no longer exist: reload the cockpit.")
            if data["action"] == "snooze":
                done = services.ctas_snooze(ctas=chosen, by=request.user, until=data["until"])
                success = f"Snoozed {len(done)} CTA{'s' if len(done) != 1 else ''} until {data['until']:%Y-%m-%d}."
            else:
                done = services.ctas_done(ctas=chosen, by=request.user)
                success = f"Marked {len(done)} CTA{'s' if len(done) != 1 else ''} done."
        except services.BulkErrors as exc:
            card_errors = {pk: [message] for pk, message in exc.by_cta.items()}
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(next_or(request, reverse("triage:cockpit")))
    return _cockpit_page(request, status=400, bulk_form=form, card_errors=card_errors)
