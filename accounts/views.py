import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import AccountDeleteForm
from accounts.personal_data import (
    data_subject_for_user,
    personal_data_counts,
    personal_data_erase,
    personal_data_export_logged,
)
from accounts.services import api_token_create, api_token_revoke

# The key is kept in the session for one page view, so it is shown once and never put in a URL.
NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"  # noqa: S105 (a session key name, not a secret)


def _signed_in(request: HttpRequest) -> User:
    """The account of a request that ``login_required`` let through."""
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache  # the page holds private response links and references
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The account page; its "Your responses" section is consultations' own template tag."""
    user = _signed_in(request)
    context = {
        "api_token": Token.objects.filter(user=user).first(),
        "new_api_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
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


@require_POST
@login_required
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own data, under the account's main and verified addresses."""
    user = _signed_in(request)
    subject = data_subject_for_user(user=user)
    return export_download(personal_data_export_logged(subject=subject, actor=user, by_subject=True))


@never_cache
@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account and erase the person's data, once they have typed their password again."""
    user = _signed_in(request)
    subject = data_subject_for_user(user=user)
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        personal_data_erase(subject=subject, by_subject=True)
        logout(request)
        messages.success(request, _("Your account is deleted and your personal data erased."))
        return redirect("policies:home")
    context = {"form": form, "counts": personal_data_counts(subject=subject), "subject": subject}
    return render(request, "accounts/delete.html", context, status=400 if form.errors else 200)


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """What is kept, why and for how long; each period is read from the setting its beat job uses."""
    periods = {name: getattr(settings, name) for name in settings.PERSONAL_DATA_RETENTION_JOBS.values()}
    jobs = {name: job for job, name in settings.PERSONAL_DATA_RETENTION_JOBS.items()}
    context = {"periods": periods, "jobs": jobs, "contact": settings.PRIVACY_CONTACT_EMAIL}
    return render(request, "accounts/privacy.html", context)


def export_download(data: dict) -> HttpResponse:
    """The export as a JSON file the browser saves; never cached anywhere on the way."""
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{timezone.now():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response
