"""The notification list: anyone signed in reads and marks their own notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.forms import EmailModeForm
from notifications.models import Notification


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def notification_list(request):
    """Anyone signed in reads their own notifications (role holders may have no other page)."""
    page = Paginator(selectors.notifications_for(request.user), 50).get_page(request.GET.get("page"))
    form = EmailModeForm(initial={"mode": selectors.email_mode(request.user)})
    return render(request, "notifications/notification_list.html", {"page": page, "email_form": form})


@login_required
@require_POST
def notification_email_mode(request):
    """Each person chooses how notification emails reach them: each at once, or a daily digest."""
    form = EmailModeForm(request.POST)
    if form.is_valid():
        preference = services.email_preference_set(user=request.user, mode=form.cleaned_data["mode"])
        messages.success(request, f"Notification emails: {preference.get_mode_display().lower()}.")
        return redirect("triage:notification_list")
    page = Paginator(selectors.notifications_for(request.user), 50).get_page(1)
    return render(request, "notifications/notification_list.html", {"page": page, "email_form": form}, status=400)


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_read(notification=notification, by=request.user)
    return redirect(_next_or(request, reverse("triage:notification_list")))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_read_all(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("triage:notification_list")
