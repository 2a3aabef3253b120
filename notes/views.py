"""Pages of the notes app. Every note page checks permission on the server and is a
`private_page`: sent with `Cache-Control: no-store, private`, and its error reports blank all
POST data and local variables (healthscore.privacy).
URLs carry ids only; note text is only ever in POST bodies and in the page itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Account
from healthscore import clock, permissions
from healthscore.privacy import private_page
from notes import forms, rendering, selectors, services
from notes.models import NoteEntry

ENTRIES_PER_PAGE = 10
RESULTS_PER_PAGE = 20


def _account(external_id: str) -> Account:
    return get_object_or_404(
        Account.objects.select_related("tam", "sal", "solutions_architect"), external_id=external_id
    )


def _add_service_errors(form: Form, exc: ValidationError) -> None:
    """Put a service's errors next to the form fields they are about."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@private_page
@login_required
def document(request, external_id: str):
    """The account's running notes, "<Account> - Meeting Notes", newest entry first."""
    account = _account(external_id)
    permissions.require_notes_read(request.user, account)
    page = Paginator(selectors.entries_for_document(account), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notes/document.html",
        {
            "account": account,
            "page": page,
            "entries": selectors.entry_views(account, list(page.object_list)),
            "can_edit": permissions.can_edit_account(request.user, account),
        },
    )


@private_page
@login_required
def entry_detail(request, pk: int):
    """One entry on its own page (search results link here)."""
    entry = get_object_or_404(NoteEntry.objects.select_related("meeting", "author", "account"), pk=pk)
    account = entry.account
    permissions.require_notes_read(request.user, account)
    [view] = selectors.entry_views(account, [entry])
    return render(
        request,
        "notes/entry_detail.html",
        {
            "account": account,
            "view": view,
            "can_edit": permissions.can_edit_account(request.user, account),
            "versions": selectors.entry_versions(entry),
        },
    )


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request, external_id: str):
    """Write the entry of a meeting: the agenda's sections, action items, and the health question."""
    account = _account(external_id)
    permissions.require_account_edit(request.user, account)
    today = clock.today()
    open_items = list(selectors.open_action_items(account))
    sentiment = selectors.current_sentiment(account, clock.today())
    if request.method == "POST":
        form = forms.NoteEntryForm(request.POST, open_items=open_items, current_sentiment=sentiment)
        items = forms.NewActionItemFormSet(request.POST, prefix="items")
        if form.is_valid() and items.is_valid():
            data = form.cleaned_data
            try:
                entry = services.note_create(
                    account=account,
                    by=request.user,
                    date=data["date"],
                    kind=data["kind"],
                    attendees=data["attendees"],
                    sections=services.NoteSections(
                        **{name: data[name] for name in services.NoteSections.__dataclass_fields__}
                    ),
                    done_items=data["done_items"],
                    new_items=[
                        services.NewActionItem(
                            text=f.cleaned_data["text"], owner=f.cleaned_data["owner"], due=f.cleaned_data["due"]
                        )
                        for f in items
                        if f.cleaned_data.get("text")
                    ],
                    health=data["health"],
                    health_reason=data["health_reason"],
                    risks=data["risks"],
                    risk_note=data["risk_note"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, f"Meeting note of {entry.meeting.date:%Y-%m-%d} saved.")
                return redirect(reverse("notes:document", args=[account.external_id]) + f"#entry-{entry.pk}")
    else:
        current_risk = selectors.risk_current(account)
        form = forms.NoteEntryForm(
            initial={"date": today, "risks": current_risk.categories if current_risk else []},
            open_items=open_items,
            current_sentiment=sentiment,
        )
        items = forms.NewActionItemFormSet(prefix="items")
    return render(
        request,
        "notes/entry_form.html",
        {
            "account": account,
            "form": form,
            "items": items,
            "open_items": open_items,
            "tickets": selectors.open_tickets(account, today),
            "today": today,
            "sentiment": sentiment,
        },
    )


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    """Correct an entry's text and attendees (the account's TAM or an admin)."""
    entry = get_object_or_404(NoteEntry.objects.select_related("meeting", "account"), pk=pk)
    account = entry.account
    permissions.require_account_edit(request.user, account)
    section_names = list(services.NoteSections.__dataclass_fields__)
    if request.method == "POST":
        form = forms.NoteEntryEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.note_update(
                    entry=entry,
                    sections=services.NoteSections(**{name: data[name] for name in section_names}),
                    attendees=data["attendees"],
                    by=request.user,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, f"Meeting note of {entry.meeting.date:%Y-%m-%d} updated.")
                return redirect(reverse("notes:document", args=[account.external_id]) + f"#entry-{entry.pk}")
    else:
        initial = {name: getattr(entry, name) for name in section_names}
        form = forms.NoteEntryEditForm(initial={**initial, "attendees": entry.meeting.attendees})
    return render(request, "notes/entry_edit.html", {"account": account, "entry": entry, "form": form})


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def search(request):
    """Search the notes of every account the user may read notes of."""
    permissions.require_role(request.user)
    # POST, so a search term (often a word from the notes) never lands in a URL, the browser
    # history or an access log; paging posts the term again.
    form = forms.NoteSearchForm(request.POST if request.method == "POST" else None)
    term = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = None
    results = []
    if term:
        page = Paginator(selectors.entries_search(user=request.user, term=term), RESULTS_PER_PAGE).get_page(
            request.POST.get("page")
        )
        results = [
            (entry, rendering.plain_excerpt(selectors.first_matching_text(entry, term), term))
            for entry in page.object_list
        ]
    return render(request, "notes/search.html", {"form": form, "term": term, "page": page, "results": results})


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def risks(request, external_id: str):
    """Which of the six risk categories apply, with a note; the history below."""
    account = _account(external_id)
    permissions.require_notes_read(request.user, account)
    can_edit = permissions.can_edit_account(request.user, account)
    if request.method == "POST":
        permissions.require_account_edit(request.user, account)
        form = forms.RiskAssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.risk_assessment_record(
                    account=account,
                    by=request.user,
                    categories=form.cleaned_data["categories"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "Risk categories recorded.")
                return redirect("notes:risks", external_id=account.external_id)
    else:
        current = selectors.risk_current(account)
        form = forms.RiskAssessmentForm(initial={"categories": current.categories if current else []})
    return render(
        request,
        "notes/risks.html",
        {"account": account, "form": form if can_edit else None, "history": selectors.risk_history(account)},
    )


@private_page
@login_required
@require_http_methods(["GET", "POST"])
def signal_data(request, external_id: str):
    """The data behind the health signals: licences, stages, deployment and version, feature
    requests and sponsor/champion changes."""
    account = _account(external_id)
    permissions.require_account_edit(request.user, account)
    requests_qs = account.feature_requests.order_by("-important", "status", "-opened", "pk")
    changes_qs = account.champion_changes.order_by("-date", "-pk")
    stored = selectors.signal_data_of(account)
    current_stages = stored.product_stages or []
    if request.method == "POST":
        form = forms.SignalDataForm(request.POST, current_stages=current_stages)
        requests_set = forms.FeatureRequestFormSet(request.POST, queryset=requests_qs, prefix="fr")
        changes_set = forms.ChampionChangeFormSet(request.POST, queryset=changes_qs, prefix="cc")
        if form.is_valid() and requests_set.is_valid() and changes_set.is_valid():
            feature_requests = requests_set.save(commit=False)
            champion_changes = changes_set.save(commit=False)
            try:
                services.signal_data_update(
                    account=account,
                    data=services.AccountSignalData(**form.cleaned_data),
                    feature_requests=feature_requests,
                    champion_changes=champion_changes,
                    deleted=[*requests_set.deleted_objects, *changes_set.deleted_objects],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "Signal data saved.")
                return redirect("account_detail", external_id=account.external_id)
    else:
        form = forms.SignalDataForm(
            initial={
                "deployment": stored.deployment,
                "licences_purchased": stored.licences_purchased,
                "licences_used": stored.licences_used,
                "product_stages": current_stages,
                "current_version": stored.current_version,
            },
            current_stages=current_stages,
        )
        requests_set = forms.FeatureRequestFormSet(queryset=requests_qs, prefix="fr")
        changes_set = forms.ChampionChangeFormSet(queryset=changes_qs, prefix="cc")
    return render(
        request,
        "notes/signal_data.html",
        {"account": account, "form": form, "requests_set": requests_set, "changes_set": changes_set},
    )
