from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import charts, history, listing, overrides, preview, selectors, services
from accounts.forms import ActivityForm, ConfirmForm, OverrideForm, SentimentForm, SentimentPreviewForm
from accounts.models import Account, Color, HealthOverride, MeetingKind, OverrideStatus
from accounts.scoring import inputs, rules
from healthscore import clock, permissions
from healthscore.privacy import private_page


def _account_to_edit(request, external_id: str) -> Account:
    """The account, if this user may change it: 404 when unknown, 403 when not theirs."""
    permissions.require_role(request.user)
    account = get_object_or_404(
        Account.objects.select_related("tam", "sal", "solutions_architect"), external_id=external_id
    )
    permissions.require_account_edit(request.user, account)
    return account


def _score(account: Account) -> str:
    """The stored score in words for messages (0.0 is a score, not a missing one)."""
    return "not scored" if account.health_score is None else str(account.health_score)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- My accounts ------------------------------------------------------------------------


MY_ACCOUNTS_PAGE = 50


@login_required
def my_accounts(request):
    """The TAM's home: their accounts, riskiest first, with inline sentiment updates."""
    permissions.require_role(request.user)
    return _my_accounts_page(request)


def _my_accounts_page(request, *, failed: Account | None = None, form=None, status: int = 200):
    today = clock.today()
    # After a failed inline save (a POST) the list shows unfiltered: the address had no filters.
    list_form = listing.account_list_form(request.GET, exclude=("tam",))
    filters = list_form.filters()
    order = listing.sort_order(list_form.sort_key) if list_form.sort_key else selectors.MY_ACCOUNTS_ORDER
    # The page's ids from bare columns, then only those rows with what a row shows (a TAM may
    # hold 1,700 accounts: rendering them all took seconds).
    mine = Account.objects.filter(tam=request.user).filter(filters.q(today))
    ids = mine.order_by(*order).values_list("pk", flat=True)
    number = request.GET.get("page")
    if failed is not None:  # the page that holds the row that failed
        ordered = list(ids)
        if failed.pk in ordered:
            number = ordered.index(failed.pk) // MY_ACCOUNTS_PAGE + 1
    page = Paginator(ids, MY_ACCOUNTS_PAGE).get_page(number)
    by_id = selectors.my_accounts(user=request.user, today=today).filter(pk__in=list(page.object_list)).in_bulk()
    accounts = [by_id[pk] for pk in page.object_list if pk in by_id]
    for account in accounts:
        # The row that failed to save shows its form open, with the errors next to the fields.
        account.row_form = form if failed is not None and account.pk == failed.pk else None
    return render(
        request,
        "accounts/my_accounts.html",
        {
            "accounts": accounts,
            "page": page,
            "today": today,
            "summary": _summary(selectors.my_accounts_health(user=request.user), today),
            "colors": Color.choices,
            "form": list_form,
            "filtered": filters.active,
            "chosen_colors": filters.colors,
        },
        status=status,
    )


def _summary(accounts, today) -> dict:
    """The counts above My accounts."""
    return {
        "total": len(accounts),
        "red": sum(a.health_color == Color.RED for a in accounts),
        "yellow": sum(a.health_color == Color.YELLOW for a in accounts),
        "green": sum(a.health_color == Color.GREEN for a in accounts),
        "stale": sum(rules.health_is_stale(a.segment, a.health_date, today) for a in accounts),
    }


def _my_account_row(request, account: Account, *, form=None, saved: str = "", status: int = 200):
    """One row of My accounts, re-read with its annotations (the htmx answer)."""
    today = clock.today()
    row = selectors.account_rows(today=today).get(pk=account.pk)
    row.row_form = form
    context = {"account": row, "today": today, "colors": Color.choices, "saved": saved}
    if saved and row.tam_id == request.user.pk:
        # The counts above the table changed too: send them along, swapped out of band.
        context["oob_summary"] = _summary(selectors.my_accounts_health(user=request.user), today)
    return render(request, "accounts/_my_account_row.html", context, status=status)


# --- Writes: sentiment, confirmation, activity ---------------------------------------------


def _health_saved(request, account: Account, sent_from: str, message: str):
    if _is_htmx(request) and sent_from == "list":
        return _my_account_row(request, account, saved=message)
    messages.success(request, message)
    if sent_from == "list":
        return redirect(f"{reverse('my_accounts')}#acct-{account.external_id}")
    return redirect("account_detail", external_id=account.external_id)


def _health_not_saved(request, account: Account, form):
    """Answer a refused sentiment or confirmation with the form and its errors (422)."""
    sent_from = form.sent_from
    if _is_htmx(request) and sent_from == "list":
        return _my_account_row(request, account, form=form, status=422)
    if sent_from == "list":
        return _my_accounts_page(request, failed=account, form=form, status=422)
    key = "sentiment_form" if isinstance(form, SentimentForm) else "confirm_form"
    return _account_page(request, account, status=422, **{key: form})


@private_page
@login_required
@require_POST
def account_sentiment(request, external_id: str):
    """Set the TAM sentiment (from My accounts or the account page); the account is rescored at once."""
    account = _account_to_edit(request, external_id)
    form = SentimentForm(request.POST)
    if form.is_valid():
        color = form.cleaned_data["color"]
        try:
            services.sentiment_update(
                account=account, color=color, reason=form.cleaned_data["reason"], by=request.user, source=form.source
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = f"{account.name}: sentiment set to {Color(color).label}, score {_score(account)}."
            return _health_saved(request, account, form.sent_from, message)
    return _health_not_saved(request, account, form)


@login_required
def account_sentiment_preview(request, external_id: str):
    """Read-only, for the sentiment forms before saving: the account's overall color and score
    after the candidate sentiment (and held meeting), and who would be notified."""
    account = _account_to_edit(request, external_id)
    form = SentimentPreviewForm(request.GET)
    context = {"preview": None}
    if form.is_valid():
        sentiment, held_on = form.candidate()
        if sentiment or held_on:
            context["preview"] = preview.sentiment_preview(
                account=account, sentiment=sentiment, held_meeting_on=held_on, today=clock.today()
            )
    return render(request, "accounts/_sentiment_preview.html", context)


@private_page
@login_required
@require_POST
def account_health_confirm(request, external_id: str):
    """ "Confirm health is current": moves the Customer Health Score Date, keeps the color."""
    account = _account_to_edit(request, external_id)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.health_confirm(account=account, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _health_saved(request, account, form.sent_from, f"{account.name}: health confirmed as current.")
    return _health_not_saved(request, account, form)


@private_page
@login_required
@require_POST
def account_activity(request, external_id: str):
    """Log a call or meeting, with an optional sentiment update, in one transaction."""
    account = _account_to_edit(request, external_id)
    form = ActivityForm(request.POST, today=clock.today())
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.activity_log(
                account=account,
                date=data["date"],
                kind=data["kind"],
                status=data["status"],
                attendees=data["attendees"],
                summary=data["summary"],
                sentiment_color=data["sentiment_color"] or None,
                sentiment_reason=data["sentiment_reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = f"Logged the {MeetingKind(meeting.kind).label.lower()} of {meeting.date:%Y-%m-%d}"
            if data["sentiment_color"]:
                message += f" and set the sentiment to {Color(data['sentiment_color']).label}"
            messages.success(request, f"{message}. Score now {_score(account)}.")
            return redirect("account_detail", external_id=account.external_id)
    return _account_page(request, account, activity_form=form, status=422)


# --- Overrides of the overall color ---------------------------------------------------------


@private_page
@login_required
@require_POST
def account_override(request, external_id: str):
    """A manager sets an override (in force at once); the account's TAM requests one."""
    permissions.require_role(request.user)
    account = get_object_or_404(Account, external_id=external_id)
    permissions.require_override_request(request.user, account)
    form = OverrideForm(request.POST, today=clock.today())
    if form.is_valid():
        data = form.cleaned_data
        manager = permissions.can_override(request.user)
        write = overrides.override_set if manager else overrides.override_request
        try:
            write(
                account=account,
                color=data["color"],
                reason=data["reason"],
                expires_on=data["expires_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            until = data["expires_on"].isoformat()
            if manager:
                messages.success(request, f"{account.name}: overridden to {Color(data['color']).label} until {until}.")
            else:
                messages.success(request, f"{account.name}: override to {Color(data['color']).label} requested.")
            return redirect(f"{reverse('account_detail', args=[account.external_id])}#override")
    return _account_page(request, account, status=422, override_form=form)


OVERRIDE_ACTIONS = {
    "approve": (overrides.override_approve, "approved"),
    "reject": (overrides.override_reject, "rejected"),
    "cancel": (overrides.override_cancel, "cancelled"),
}


@private_page
@login_required
@require_POST
def account_override_decide(request, external_id: str, pk: int, action: str):
    """A manager approves or rejects a request, or cancels an override; a TAM withdraws (cancels)
    their own pending request."""
    permissions.require_role(request.user)
    if action not in OVERRIDE_ACTIONS:
        raise Http404("No such action.")
    override = get_object_or_404(
        HealthOverride.objects.select_related("account"), pk=pk, account__external_id=external_id
    )
    account = override.account
    permissions.require_account_read(request.user, account)
    own_request = (
        action == "cancel" and override.status == OverrideStatus.PENDING and override.requested_by_id == request.user.pk
    )
    if not own_request:
        permissions.require_override_decide(request.user)
    service, done = OVERRIDE_ACTIONS[action]
    try:
        service(override=override, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{account.name}: override {done}.")
    return redirect(f"{reverse('account_detail', args=[account.external_id])}#override")


# --- The account page -------------------------------------------------------------------


@private_page
@login_required
def account_detail(request, external_id: str):
    account = get_object_or_404(
        Account.objects.select_related("tam", "sal", "solutions_architect"), external_id=external_id
    )
    permissions.require_account_read(request.user, account)
    return _account_page(request, account)


def _account_page(request, account: Account, *, status: int = 200, **forms):
    today = clock.today()
    by_segment = inputs.rules_by_segment()
    segment_rules = by_segment[account.segment]
    [(_, result, confidence)] = inputs.scorecards_explain(Account.objects.filter(pk=account.pk), today, by_segment)
    snapshots = selectors.account_snapshots(account=account, today=today)
    can_edit = permissions.can_edit_account(request.user, account)
    latest_sentiment = inputs.account_sentiment_in_force(account, today)
    measures = [
        {
            "measure": m,
            "points": None
            if m.color is None
            else rules.round2(segment_rules.points(m.color) * m.effective_weight / 100),
        }
        for m in result.measures
    ]
    context = {
        "account": account,
        "result": result,
        "measures": measures,
        "rules": segment_rules,
        "missing_explained": rules.explain_missing(result),
        "confidence": confidence,
        "can_edit": can_edit,
        "can_read_notes": permissions.can_read_notes(request.user, account),
        "stale": rules.health_is_stale(account.segment, account.health_date, today),
        "today": today,
        "chart": charts.score_chart(
            [(s.date, s.score, s.color) for s in snapshots],
            end=today,
            green_min=segment_rules.green_min_score,
            yellow_min=segment_rules.yellow_min_score,
        ),
        "snapshots": snapshots,
        "history": history.account_history(account=account, snapshots=snapshots),
        "latest_sentiment": latest_sentiment,
        "meetings": selectors.account_meetings(account=account),
        "tickets": selectors.account_tickets(account=account, today=today),
        "plans": selectors.account_plans(account=account),
    }
    context.update(_override_context(request, account, today, forms.get("override_form")))
    if can_edit:
        initial = {"color": latest_sentiment.color} if latest_sentiment else {}
        context["sentiment_form"] = forms.get("sentiment_form") or SentimentForm(
            initial={**initial, "origin": "account"}
        )
        context["confirm_form"] = forms.get("confirm_form") or ConfirmForm(initial={"origin": "account"})
        context["activity_form"] = forms.get("activity_form") or ActivityForm(today=today)
    return render(request, "accounts/account_detail.html", context, status=status)


def _override_context(request, account: Account, today, form) -> dict:
    """The account page's override panel: the open override or request, the past ones, and the
    form for whoever may set (a manager) or request (the account's TAM) one."""
    recent = overrides.overrides_recent(account)
    # One open at a time, so the open one (if any) is the newest: no second query.
    current = next((o for o in recent[:1] if o.status in overrides.OPEN_STATUSES and o.expires_on >= today), None)
    can_override = permissions.can_override(request.user)
    can_request = permissions.can_request_override(request.user, account)
    context = {
        "override_current": current,
        "override_history": recent,
        "can_override": can_override,
        "can_request_override": can_request,
        "override_max_days": rules.OVERRIDE_MAX_DAYS,
    }
    if (can_override or can_request) and (current is None or form is not None):
        context["override_form"] = form or OverrideForm(today=today)
    return context
