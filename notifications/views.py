"""Subscribe, confirm, preferences and unsubscribe: no log-in, signed links, the same answer for every address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.personal_data import normalise_email
from core.throttle import hourly_limit_reached
from notifications import tokens
from notifications.forms import ChoicesForm, EmailForm, SubscribeForm
from notifications.models import Subscriber
from notifications.services import subscribers as service

SUBSCRIBE_ATTEMPTS_PER_HOUR = 20


def _link_problem(request: HttpRequest, error: tokens.BadToken) -> HttpResponse:
    return render(request, "notifications/link_problem.html", {"expired": error.expired}, status=400)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if hourly_limit_reached(request, "subscribe", SUBSCRIBE_ATTEMPTS_PER_HOUR):
            form.add_error(None, _("Too many requests from your network. Please try again in an hour."))
            return render(request, "notifications/subscribe.html", {"form": form}, status=429)
        service.subscriber_subscribe(email=form.cleaned_data["email"], choices=form.choices())
        return redirect("notifications:subscribe_done")
    return render(request, "notifications/subscribe.html", {"form": form}, status=400 if form.errors else 200)


def subscribe_done(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/subscribe_done.html")


def masked(email: str) -> str:
    """j***@example.org: anyone holding the link sees the page, and it needs no more to be recognised."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def _stale_link(request: HttpRequest) -> HttpResponse:
    # No such subscriber any more, or the link predates their unsubscribing: ask them to subscribe again.
    return _link_problem(request, tokens.BadToken(expired=True))


def _confirmed(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    preferences_url = tokens.absolute_url(tokens.PREFERENCES, subscriber.email)
    return render(request, "notifications/confirmed.html", {"preferences_url": preferences_url})


def _ask_to_confirm(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    context = {"masked_email": masked(subscriber.email), "summary": service.Choices.of(subscriber).describe()}
    return render(request, "notifications/confirm.html", context)


# GET asks, POST confirms: mail scanners (Safe Links, Mimecast, Proofpoint) open
# every link in a message but press no buttons, so they cannot complete the
# double opt-in for someone who never asked.
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read(tokens.CONFIRM, token)
    except tokens.BadToken as error:
        return _link_problem(request, error)
    link_signed_at = tokens.signed_at(token)
    if request.method == "POST":
        if service.subscriber_confirm(email=email, link_signed_at=link_signed_at) is None:
            return _stale_link(request)
        return redirect(request.path)
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).prefetch_related("topics").first()
    # The rule subscriber_confirm applies, read without writing: no button the POST would refuse.
    if subscriber is None or service.link_predates_leaving(subscriber, link_signed_at):
        return _stale_link(request)
    if subscriber.is_confirmed:
        return _confirmed(request, subscriber)
    return _ask_to_confirm(request, subscriber)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read(tokens.PREFERENCES, token)
    except tokens.BadToken as error:
        return _link_problem(request, error)
    subscriber = Subscriber.objects.confirmed().filter(email=email).prefetch_related("topics").first()
    if subscriber is None:
        return render(request, "notifications/preferences.html", {"email": email, "subscriber": None})
    if request.method == "POST" and request.POST.get("action") == "unsubscribe":
        service.subscriber_unsubscribe(email=email)
        return render(request, "notifications/unsubscribed.html", {"email": email})
    initial = ChoicesForm.initial_from(service.Choices.of(subscriber))
    form = ChoicesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service.subscriber_update(subscriber=subscriber, choices=form.choices())
        messages.success(request, _("Your choices are saved."))
        return redirect(request.path)
    context = {"email": email, "subscriber": subscriber, "form": form}
    return render(request, "notifications/preferences.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def preferences_request(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not hourly_limit_reached(request, "preferences-link", SUBSCRIBE_ATTEMPTS_PER_HOUR):
            service.subscriber_send_preferences_link(email=form.cleaned_data["email"])
        return render(request, "notifications/preferences_sent.html")
    return render(request, "notifications/preferences_request.html", {"form": form}, status=400 if form.errors else 200)


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and no
# CSRF token; the signed token is the proof. A GET only shows a button, so link
# scanners that follow every URL in a message cannot unsubscribe anyone.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadToken as error:
        return _link_problem(request, error)
    if request.method == "POST":
        service.subscriber_unsubscribe(email=email)
        return render(request, "notifications/unsubscribed.html", {"email": email})
    return render(request, "notifications/unsubscribe.html", {"email": email})


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    subscriber = service.subscriber_for_account(user=user)
    if request.method == "POST" and request.POST.get("action") == "unsubscribe":
        service.subscriber_unsubscribe(email=user.email)
        messages.success(request, _("You will receive no more updates by email."))
        return redirect("notifications:account")
    active = subscriber is not None and subscriber.is_confirmed
    initial = ChoicesForm.initial_from(service.Choices.of(subscriber)) if subscriber is not None and active else None
    form = ChoicesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = service.subscriber_save_for_account(user=user, choices=form.choices())
        if saved.is_confirmed:
            messages.success(request, _("Your choices are saved."))
        else:
            messages.success(request, _("Check your inbox: we've sent a link to confirm your address."))
        return redirect("notifications:account")
    context = {"form": form, "subscriber": subscriber, "active": active}
    return render(request, "notifications/account.html", context, status=400 if form.errors else 200)
