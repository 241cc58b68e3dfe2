from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import selectors, services
from comments.forms import CommentEditForm, CommentForm, ReportForm
from comments.models import Comment
from comments.tokens import comment_from_confirmation_token
from core.client_address import client_address
from moderation.models import PolicyVersion

# What may be discussed, by the name used in URLs.
TARGETS = {
    "analysis": "policies.PolicyAnalysis",
    "webinar": "webinars.Webinar",
    "consultation": "consultations.Consultation",
}

OWN_COOKIE = "comments_own"
OWN_COOKIE_SALT = "comments.own"
OWN_COOKIE_LIMIT = 20
OWN_COOKIE_MAX_AGE = 7 * 24 * 3600


# --- The author's own waiting comments, remembered in a signed cookie ----------------------------


def own_comment_ids(request: HttpRequest) -> frozenset[int]:
    raw = request.get_signed_cookie(OWN_COOKIE, default="", salt=OWN_COOKIE_SALT) or ""
    return frozenset(int(part) for part in raw.split(",") if part.isdigit())


def remember_own_comment(request: HttpRequest, response: HttpResponse, comment: Comment) -> None:
    ids = [comment.pk, *sorted(own_comment_ids(request) - {comment.pk}, reverse=True)][:OWN_COOKIE_LIMIT]
    response.set_signed_cookie(
        OWN_COOKIE,
        ",".join(map(str, ids)),
        salt=OWN_COOKIE_SALT,
        max_age=OWN_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )


# --- Context for pages that show a discussion -------------------------------------------------


def target_key(target: models.Model) -> str:
    label = f"{target._meta.app_label}.{target._meta.object_name}"
    return next(key for key, value in TARGETS.items() if value == label)


def comment_context(request: HttpRequest, target: models.Model, form: CommentForm | None = None) -> dict:
    """What a page needs to show its comment section: one page of threads, the form, the reply target."""
    section = selectors.comment_section(
        target=target,
        own_ids=own_comment_ids(request),
        user=request.user,
        page_number=request.GET.get("comments_page"),
    )
    reply_to = None
    if (wanted := request.GET.get("replyto", "")).isdigit():
        reply_to = next((c for c in section.comments if c.pk == int(wanted) and c.is_public), None)
    if form is None:
        form = CommentForm(target=target, user=request.user, initial={"parent": reply_to.pk if reply_to else None})
    return {
        "comments": section,
        "comment_form": form,
        "reply_to": reply_to,
        "comment_post_url": reverse("comments:post", kwargs={"target": target_key(target), "object_id": target.pk}),
    }


def discussed(target: str, object_id: int) -> models.Model:
    """The analysis, webinar or consultation a comment is posted on, if the public may see it."""
    if target not in TARGETS:
        raise Http404
    try:
        model = apps.get_model(TARGETS[target])
    except LookupError:
        raise Http404 from None
    queryset = model._default_manager.all()
    if hasattr(queryset, "published"):
        queryset = queryset.published()
    return get_object_or_404(queryset, pk=object_id)


def permalink_url(comment: Comment, request: HttpRequest) -> str:
    page = selectors.thread_page_of(comment=comment, own_ids=own_comment_ids(request), user=request.user)
    query = f"?comments_page={page}" if page > 1 else ""
    target = comment.target
    if target is None:  # the analysis, webinar or consultation was deleted; its comments have no page
        raise Http404
    return f"{target.get_absolute_url()}{query}#{comment.anchor}"


# --- Posting ----------------------------------------------------------------------------------


@require_POST
def post_comment(request: HttpRequest, target: str, object_id: int) -> HttpResponse:
    subject = discussed(target, object_id)
    form = CommentForm(request.POST, target=subject, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_submit(
                target=subject,
                text=data["text"],
                author_name=data["name"],
                author_email=data["email"],
                user=request.user,
                parent=data["parent"],
                ip_address=client_address(request),
                honeypot=data["website"],
                seconds_to_write=form.seconds_to_write,
                organisation=data["organisation"],
                declaration_of_interest=data["declaration_of_interest"],
                notify_replies=data["notify_replies"],
            )
        except services.CommentRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, posted_message(comment))
            response = HttpResponseRedirect(permalink_url(comment, request))
            remember_own_comment(request, response, comment)
            return response
    context = {"target": subject, "comment_form": form, "comment_post_url": request.path}
    return render(request, "comments/post.html", context, status=400)


def posted_message(comment: Comment) -> str:
    if comment.status == Comment.Status.UNCONFIRMED:
        # The same words whether or not the per-address limit held the email back: no answer tells
        # anyone what else was sent to an address.
        return _(
            "Thank you. We have emailed you a link, unless this address was sent several in the last hour: "
            "open it to confirm your address and send your comment on."
        )
    if comment.status == Comment.Status.APPROVED:
        return _("Thank you, your comment is published.")
    return _("Thank you. Your comment is awaiting moderation.")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST confirms: link checkers in mail systems open links but do not press buttons."""
    try:
        comment = comment_from_confirmation_token(token)
    except signing.BadSignature:
        return render(request, "comments/confirm_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "comments/confirm.html", {"comment": comment})
    if comment.status == Comment.Status.UNCONFIRMED:
        comment = services.comment_confirm(comment=comment)
        messages.success(request, posted_message(comment))
    response = HttpResponseRedirect(permalink_url(comment, request))
    remember_own_comment(request, response, comment)
    return response


@require_GET
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk)
    own = own_comment_ids(request)
    if not (comment.is_public or selectors.is_visible(comment, set(own), request.user)):
        raise Http404
    return redirect(permalink_url(comment, request))


# --- The author's edits and readers' reports ------------------------------------------------------


def own_comment(request: HttpRequest, pk: int) -> Comment:
    """A comment its signed-in author may still change; anyone else gets a 404."""
    comment = get_object_or_404(Comment, pk=pk, user=request.user)
    if not services.can_edit(comment=comment, user=request.user):
        raise Http404
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    initial = {
        "text": comment.text,
        "on_behalf": bool(comment.organisation),
        "organisation": comment.organisation,
        "declaration_of_interest": comment.declaration_of_interest,
    }
    form = CommentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            comment = services.comment_edit(
                comment=comment,
                user=request.user,
                text=data["text"],
                organisation=data["organisation"],
                declaration_of_interest=data["declaration_of_interest"],
            )
        except services.CommentRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your comment is updated.") + " " + status_note(comment))
            return redirect(permalink_url(comment, request))
    return render(request, "comments/edit.html", {"comment": comment, "form": form})


def status_note(comment: Comment) -> str:
    if comment.status == Comment.Status.PENDING:
        return _("It is awaiting moderation.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = own_comment(request, pk)
    if request.method == "POST":
        services.comment_withdraw(comment=comment, user=request.user)
        messages.success(request, _("Your comment is deleted."))
        target = comment.target
        return redirect(f"{target.get_absolute_url()}#comments" if target is not None else "/")
    return render(request, "comments/delete.html", {"comment": comment})


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk, status=Comment.Status.APPROVED)
    form = ReportForm(request.POST or None, version=comment.policy_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_report(comment=comment, user=request.user, **form.cleaned_data)
        except services.CommentRefused as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(request, _("Thank you. The moderators will look at this comment."))
        return redirect(permalink_url(comment, request))
    return render(request, "comments/report.html", {"comment": comment, "form": form})


# --- The comment policy --------------------------------------------------------------------------


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    version = PolicyVersion.objects.current()
    if version is None:
        raise Http404
    return policy_page(request, version)


@require_GET
def policy_version(request: HttpRequest, number: int) -> HttpResponse:
    version = PolicyVersion.objects.in_force().select_related("policy").filter(number=number).first()
    if version is None:
        raise Http404
    return policy_page(request, version)


def policy_page(request: HttpRequest, version: PolicyVersion) -> HttpResponse:
    versions = PolicyVersion.objects.in_force().filter(policy=version.policy)
    current = versions.first()
    context = {"version": version, "clauses": version.clauses.all(), "versions": versions, "current": current}
    return render(request, "comments/policy.html", context)


# RFC 8058: a mail client's one-click POST carries no CSRF token; the signed token is the credential.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop_replies(request, token: str):
    """One click from a reply email stops further reply emails for that thread."""
    try:
        services.comment_replies_stop(token=token)
    except signing.BadSignature:
        return render(request, "comments/replies_stopped.html", {"valid": False}, status=400)
    return render(request, "comments/replies_stopped.html", {"valid": True})
