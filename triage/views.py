"""Triage record pages (the cockpit and its CTA actions: triage/cockpit_views.py).

Every view checks on the server who may see (any Healthscore role) and who may act (the
account's TAM, or an admin), validates a form, calls one service and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import listing, mirrors
from accounts.models import Account
from healthscore import clock, csv_download, permissions
from triage import selectors, services
from triage.cockpit_views import form_apply
from triage.forms import TriageCloseForm, TriageEditForm, TriageNoteForm
from triage.models import TriageRecord, TriageStatus

# --- Triage records -----------------------------------------------------------------------


def _record_list_query(request):
    """The triage list's tab, "mine", search, filters and sort, from the address."""
    status = request.GET.get("status", TriageStatus.OPEN)
    if status not in TriageStatus.values:
        status = TriageStatus.OPEN
    mine = request.GET.get("mine") == "1"
    # Every record here is a triage record: "has open triage" would filter nothing useful.
    form = listing.account_list_form(request.GET, exclude=("open_triage",))
    records = selectors.triage_records(
        status=status,
        mine_for=request.user if mine else None,
        account_filters=form.filters(),
        today=clock.today(),
        sort=form.sort_key,
    )
    return status, mine, form, records


@login_required
def record_list(request):
    permissions.require_role(request.user)
    status, mine, form, records = _record_list_query(request)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    keep = [("status", status), *([("mine", "1")] if mine else [])]
    return render(
        request,
        "triage/record_list.html",
        {"page": page, "status": status, "mine": mine, "form": form, "keep": keep},
    )


@login_required
def record_list_export(request):
    """The triage list as CSV: the same tab, search, filters and sort (every page)."""
    permissions.require_role(request.user)
    status, _, form, records = _record_list_query(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            f"Invalid filters, nothing exported. {form.error_text()}", content_type="text/plain"
        )
    return csv_download.csv_response(
        selectors.triage_records_csv_rows(records), f"triage-{status}-{clock.today().isoformat()}.csv"
    )


def _record_page(request, record: TriageRecord, *, status: int = 200, **forms):
    can_edit = permissions.can_edit_account(request.user, record.account)
    initial = {"classification": record.classification, "risk_reasons": record.risk_reasons}
    context = {
        "record": record,
        "updates": record.updates.select_related("author"),
        "can_edit": can_edit and record.is_open,
        "edit_form": forms.get("edit_form") or TriageEditForm(initial={**initial, "plan": record.plan}),
        "close_form": forms.get("close_form") or TriageCloseForm(),
        "note_form": forms.get("note_form") or TriageNoteForm(),
        # Where the record is mirrored (the GitLab issue) and how the copy is doing.
        "mirrors": mirrors.mirror_statuses([record.pk]).get(record.pk, []),
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
    if form_apply(form, lambda data: services.triage_edit(triage=record, by=request.user, **data)):
        messages.success(request, "Triage record saved.")
        return redirect("triage:record_detail", pk=record.pk)
    return _record_page(request, record, status=400, edit_form=form)


@login_required
@require_POST
def record_note(request, pk: int):
    record = _record_for(request, pk, edit=True)
    form = TriageNoteForm(request.POST)
    if form_apply(form, lambda data: services.triage_note_add(triage=record, by=request.user, text=data["text"])):
        messages.success(request, "Update added to the log.")
        return redirect("triage:record_detail", pk=record.pk)
    return _record_page(request, record, status=400, note_form=form)


@login_required
@require_POST
def record_close(request, pk: int):
    """Close with the saved classification and risk reasons and the resolution sent: a missing
    label is shown where labels are set (Plan and labels), the resolution's error on its field."""
    record = _record_for(request, pk, edit=True)
    form = TriageCloseForm(request.POST)
    if not form.is_valid():
        return _record_page(request, record, status=400, close_form=form)
    try:
        services.triage_close(
            triage=record,
            by=request.user,
            classification=record.classification,
            risk_reasons=record.risk_reasons,
            resolution=form.cleaned_data["resolution"],
        )
    except ValidationError as exc:
        edit_form = TriageEditForm(
            {"classification": record.classification, "risk_reasons": record.risk_reasons, "plan": record.plan}
        )
        edit_form.is_valid()
        for field, errors in exc.message_dict.items():
            target = edit_form if field in ("classification", "risk_reasons") else form
            target.add_error(field if field in target.fields else None, errors)
        return _record_page(request, record, status=400, close_form=form, edit_form=edit_form)
    messages.success(request, f"Triage record for {record.account.name} closed.")
    return redirect("triage:record_detail", pk=record.pk)


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
