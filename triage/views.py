"""Triage pages: the TAM's cockpit of CTAs and triage records.

Every view checks on the server who may see (any Healthscore role) and who may act (the
account's TAM, or an admin), validates a form, calls one service and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Account
from healthscore import permissions
from triage import selectors, services
from triage.forms import ConfirmForm, CtaDismissForm, CtaSnoozeForm, TriageCloseForm, TriageEditForm, TriageNoteForm
from triage.models import Cta, TriageRecord, TriageStatus

COCKPIT_TABS = (("open", "Open"), ("snoozed", "Snoozed"), ("done", "Done"))


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _apply(form, action) -> bool:
    """Run a service with the form's data; its ValidationError becomes the form's errors."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


# --- Cockpit and CTAs ---------------------------------------------------------------------


@login_required
def cockpit(request):
    permissions.require_role(request.user)
    state = request.GET.get("state", "open")
    if state not in dict(COCKPIT_TABS):
        state = "open"
    tam = None
    is_manager = permissions.is_manager(request.user)
    if is_manager and request.GET.get("tam"):
        tam = get_object_or_404(User, username=request.GET["tam"])
    ctas = selectors.ctas_for_cockpit(user=request.user, state=state, tam=tam)
    page = Paginator(ctas, 50).get_page(request.GET.get("page"))
    counts = selectors.cockpit_counts(user=request.user, tam=tam)
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
        },
    )


def _cta_action(request, pk: int, form_class, action, success: str):
    cta = get_object_or_404(Cta.objects.select_related("account", "account__tam"), pk=pk)
    permissions.require_account_edit(request.user, cta.account)
    form = form_class(request.POST)
    if _apply(form, lambda data: action(cta, data)):
        messages.success(request, success.format(account=cta.account.name))
        return redirect(_next_or(request, reverse("triage:cockpit")))
    return render(
        request,
        "triage/cta_action.html",
        {"cta": cta, "form": form, "next": _next_or(request, reverse("triage:cockpit"))},
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
        return redirect(_next_or(request, reverse("triage:cockpit")))
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


# --- Triage records -----------------------------------------------------------------------


@login_required
def record_list(request):
    permissions.require_role(request.user)
    status = request.GET.get("status", TriageStatus.OPEN)
    if status not in TriageStatus.values:
        status = TriageStatus.OPEN
    mine = request.GET.get("mine") == "1"
    records = selectors.triage_records(status=status, mine_for=request.user if mine else None)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "triage/record_list.html", {"page": page, "status": status, "mine": mine})


def _record_page(request, record: TriageRecord, *, status: int = 200, **forms):
    can_edit = permissions.can_edit_account(request.user, record.account)
    initial = {"classification": record.classification, "risk_reasons": record.risk_reasons}
    context = {
        "record": record,
        "updates": record.updates.select_related("author"),
        "can_edit": can_edit and record.is_open,
        "edit_form": forms.get("edit_form") or TriageEditForm(initial={**initial, "plan": record.plan}),
        "close_form": forms.get("close_form") or TriageCloseForm(initial=initial),
        "note_form": forms.get("note_form") or TriageNoteForm(),
    }
    return render(request, "triage/record_detail.html", context, status=status)


def _record_for(request, pk: int, *, edit: bool) -> TriageRecord:
    try:
        record = selectors.triage_record(pk)
    except TriageRecord.DoesNotExist:
        raise Http404("No such triage record") from None
    if edit:
        permissions.require_account_edit(request.user, record.account)
    else:
        permissions.require_role(request.user)
    return record


@login_required
def record_detail(request, pk: int):
    return _record_page(request, _record_for(request, pk, edit=False))


@login_required
@require_POST
def record_edit(request, pk: int):
    record = _record_for(request, pk, edit=True)
    form = TriageEditForm(request.POST)
    if _apply(form, lambda data: services.triage_edit(triage=record, by=request.user, **data)):
        messages.success(request, "Triage record saved.")
        return redirect("triage:record_detail", pk=record.pk)
    return _record_page(request, record, status=400, edit_form=form)


@login_required
@require_POST
def record_note(request, pk: int):
    record = _record_for(request, pk, edit=True)
    form = TriageNoteForm(request.POST)
    if _apply(form, lambda data: services.triage_note_add(triage=record, by=request.user, text=data["text"])):
        messages.success(request, "Update added to the log.")
        return redirect("triage:record_detail", pk=record.pk)
    return _record_page(request, record, status=400, note_form=form)


@login_required
@require_POST
def record_close(request, pk: int):
    record = _record_for(request, pk, edit=True)
    form = TriageCloseForm(request.POST)
    if _apply(form, lambda data: services.triage_close(triage=record, by=request.user, **data)):
        messages.success(request, f"Triage record for {record.account.name} closed.")
        return redirect("triage:record_detail", pk=record.pk)
    return _record_page(request, record, status=400, close_form=form)


@login_required
@require_POST
def record_open(request, external_id: str):
    account = get_object_or_404(Account, external_id=external_id)
    permissions.require_account_edit(request.user, account)
    try:
        record = services.triage_open(account=account, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("account_detail", external_id=account.external_id)
    messages.success(request, f"Triage record opened for {account.name}.")
    return redirect("triage:record_detail", pk=record.pk)
