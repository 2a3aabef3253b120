"""The "API tokens" page: a user's personal tokens, created (the key shown once) and revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import TokenForm
from healthscore import permissions
from healthscore.privacy import private_page

NEW_KEY = "api_new_token_key"


@login_required
@private_page
def token_list(request):
    """The user's tokens. POST creates one and redirects (a reload never makes a second one);
    the key rides in the session to that one GET, which shows it and forgets it."""
    permissions.require_role(request.user)
    form, status = TokenForm(), 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _, request.session[NEW_KEY] = services.token_create(user=request.user, **form.cleaned_data)
                return redirect("api_tokens")
            except ValidationError as error:
                form.add_error(None, error)
        status = 422
    context = {
        "form": form,
        "tokens": selectors.tokens_of(user=request.user),
        "new_key": request.session.pop(NEW_KEY, None),
    }
    return render(request, "api/tokens.html", context, status=status)


@require_POST
@login_required
def token_revoke(request, pk: int):
    permissions.require_role(request.user)
    # Another user's token is a 404: its existence is not theirs to learn.
    token = get_object_or_404(selectors.tokens_of(user=request.user), pk=pk)
    services.token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api_tokens")
