"""A test-only URL: a TAM's sentiment update through the whole request cycle (middleware,
commit, on_commit), so the Redis-down test exercises what a real form post does."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import Account
from healthscore.urls import urlpatterns as site_urlpatterns


@login_required
@require_POST
def sentiment_update(request, external_id):
    account = get_object_or_404(Account, external_id=external_id)
    services.sentiment_update(
        account=account, color=request.POST["color"], reason=request.POST["reason"], by=request.user
    )
    return redirect("account_detail", external_id=account.external_id)


urlpatterns = [path("test-sentiment/<str:external_id>/", sentiment_update), *site_urlpatterns]
