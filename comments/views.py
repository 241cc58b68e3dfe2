from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import counts, review, selectors, services
from comments.forms import CommentEditForm, CommentForm, ReportForm, ReviewRequestForm
from comments.models import Comment
from comments.tokens import comment_from_confirmation_token, comment_from_review_token
from core.client_address import client_address
from core.page_cache import page_depends_on
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

# A form sent back with errors waits here for the discussion page that shows it, once.
HELD_FORM = "comments.held_form"
ERRORS_ANCHOR = "comment-errors"


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
    page_depends_on(request, counts.thread_tag(target), "comment-policy")
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
        form = held_form(request, target)
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


# --- A form with errors goes back to its discussion page -----------------------------------------
#
# GOV.UK's pattern shows errors on the page that holds the form. The discussion pages belong to the apps
# below this one, so the post view cannot render them: it keeps what was typed in the session and sends
# the browser back to the page (303), anchored at the error summary, where the comment section binds the
# form again. The entry is read once; nothing typed outlives the next view of the page.


def _target_label(target: models.Model) -> str:
    return f"{target_key(target)}:{target.pk}"


def hold_form(request: HttpRequest, target: models.Model, refusal: str = "") -> None:
    # Kept up to twice the longest comment, so a flood of oversized posts cannot swell the session table;
    # a longer text still fails the length check and the author gets back its first part.
    limit = 2 * settings.COMMENTS_MAX_LENGTH
    data = {
        key: [value[:limit] for value in values] for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"
    }
    request.session[HELD_FORM] = {"target": _target_label(target), "data": data, "refusal": refusal}


def held_form(request: HttpRequest, target: models.Model) -> CommentForm | None:
    held = request.session.get(HELD_FORM) if hasattr(request, "session") else None
    if not isinstance(held, dict) or held.get("target") != _target_label(target):
        return None
    del request.session[HELD_FORM]
    form = CommentForm(MultiValueDict(held.get("data") or {}), target=target, user=request.user)
    form.is_valid()
    if held.get("refusal"):
        form.add_error(None, str(held["refusal"]))
    return form


def back_to_form(request: HttpRequest, target: models.Model) -> HttpResponse:
    """The discussion page, at the page of the comment replied to, with the reply form set to it."""
    query = ""
    parent_id = request.POST.get("parent", "")
    parent = (
        Comment.objects.for_target(target).filter(pk=int(parent_id), status=Comment.Status.APPROVED).first()
        if parent_id.isdigit() and len(parent_id) < 19
        else None
    )
    if parent is not None:
        page = selectors.thread_page_of(comment=parent, own_ids=own_comment_ids(request), user=request.user)
        query = "?" + urlencode({**({"comments_page": page} if page > 1 else {}), "replyto": parent.pk})
    page_url: str = target.get_absolute_url()  # type: ignore[attr-defined]  # every discussed model has one
    return HttpResponseRedirect(f"{page_url}{query}#{ERRORS_ANCHOR}", status=303)


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
            if not getattr(subject, "accepts_comments", True):
                # Closed while they wrote: the page shows no form to go back to, so this one says why.
                context = {"target": subject, "refusal": str(refusal), "text": data["text"]}
                return render(request, "comments/closed.html", context, status=400)
            hold_form(request, subject, refusal=str(refusal))
            return back_to_form(request, subject)
        if comment.status == Comment.Status.REJECTED:
            return redirect(review.not_published_url(comment))
        messages.success(request, posted_message(comment))
        response = HttpResponseRedirect(permalink_url(comment, request))
        remember_own_comment(request, response, comment)
        return response
    hold_form(request, subject)
    return back_to_form(request, subject)


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
    if comment.status == Comment.Status.REJECTED:
        state = review.review_state(comment)
        ask = (
            _("If you think our checks got this wrong, you can ask a moderator to review it.") if state.may_ask else ""
        )
        return " ".join(filter(None, [_("Your comment was not published."), state.explanation, ask]))
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
    form = CommentEditForm(request.POST if request.method == "POST" else None, initial=initial)
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
            if comment.status == Comment.Status.REJECTED:
                return redirect(review.not_published_url(comment))
            messages.success(request, _("Your comment is updated.") + " " + status_note(comment))
            return redirect(permalink_url(comment, request))
    status = 400 if form.errors else 200
    return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=status)


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


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=pk, status=Comment.Status.APPROVED)
    if not request.user.is_authenticated:
        # Reports count distinct people, so they need an account: say so, and come back here after.
        context = {"comment": comment, "next": request.path}
        return render(request, "comments/report_sign_in.html", context)
    form = ReportForm(request.POST if request.method == "POST" else None, version=comment.policy_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_report(comment=comment, user=request.user, **form.cleaned_data)
        except services.CommentRefused as refusal:
            messages.info(request, str(refusal))
        else:
            messages.success(request, _("Thank you. The moderators will look at this comment."))
        return redirect(permalink_url(comment, request))
    status = 400 if form.errors else 200
    return render(request, "comments/report.html", {"comment": comment, "form": form}, status=status)


# --- A comment the automatic checks rejected ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def not_published(request: HttpRequest, token: str) -> HttpResponse:
    """Why the checks did not publish a comment, and the way to put it before a moderator."""
    try:
        comment = comment_from_review_token(token)
    except signing.BadSignature:
        return render(request, "comments/review_invalid.html", status=400)
    form = ReviewRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            comment = review.comment_review_request(comment=comment, note=form.cleaned_data["note"])
        except services.CommentRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(request.path)
    context = {"comment": comment, "state": review.review_state(comment), "form": form}
    return render(request, "comments/not_published.html", context, status=400 if form.errors else 200)


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
