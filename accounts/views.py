from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts.services import api_token_create, api_token_revoke
from consultations.selectors import responses_of_person

# The key is kept in the session for one page view, so it is shown once and never put in a URL.
NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"  # noqa: S105 (a session key name, not a secret)


@never_cache  # the page holds private response links and references
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    context = {
        "api_token": Token.objects.filter(user=request.user).first(),
        "new_api_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
        "responses": responses_of_person(request.user),
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@login_required
def api_token_new(request: HttpRequest) -> HttpResponse:
    token = api_token_create(user=request.user)
    request.session[NEW_TOKEN_SESSION_KEY] = token.key
    return redirect("accounts:profile")


@require_POST
@login_required
def api_token_delete(request: HttpRequest) -> HttpResponse:
    if api_token_revoke(user=request.user):
        messages.success(request, _("Your API token is revoked. Scripts using it can no longer sign in."))
    return redirect("accounts:profile")
