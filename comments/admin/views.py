"""Staff pages served inside the admin: a comment's moderation page, the audit CSV, monthly figures.

The admin wraps each in ``admin_view`` (staff sign-in, CSRF); each checks the
moderators' permission itself, and every write goes through a service.
"""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comments import decisions, figures, pipeline
from comments.forms import DecisionForm, OfficialReplyForm, ResponseForm
from comments.models import Comment, CommentClaim, Flag, TeamResponse
from comments.permissions import can_moderate, can_see_comments
from comments.queues import attach_history
from core.spreadsheets import formula_safe
from moderation.models import ModerationEvent

THREAD_LIMIT = 200


# --- One comment ------------------------------------------------------------------------


def moderate_comment(request, *, model_admin, object_id: str) -> HttpResponse:
    if not can_see_comments(request.user):
        raise PermissionDenied
    comment = get_object_or_404(
        Comment.objects.select_related("parent", "policy_version", "user"), pk=object_id if object_id.isdigit() else 0
    )
    forms = {
        "decision": DecisionForm(comment=comment, initial={"seen_status": comment.status}),
        "response": ResponseForm(initial={"status": getattr(team_response_of(comment), "status", None)}),
        "reply": OfficialReplyForm(),
    }
    if request.method == "POST":
        if not can_moderate(request.user):
            raise PermissionDenied
        done = handle_post(request, comment=comment, forms=forms)
        if done is not None:
            return done
        comment.refresh_from_db()
    return TemplateResponse(
        request,
        "admin/comments/moderate.html",
        moderation_page_context(request, model_admin=model_admin, comment=comment, forms=forms),
    )


def team_response_of(comment: Comment) -> TeamResponse | None:
    return TeamResponse.objects.filter(comment=comment).first()


def handle_post(request, *, comment: Comment, forms: dict) -> HttpResponse | None:
    """Apply the posted operation; a redirect when it worked, None to show the page with its errors."""
    op = request.POST.get("op")
    here = request.get_full_path()
    try:
        if op == "decide":
            decision_form = forms["decision"] = DecisionForm(request.POST, comment=comment)
            if not decision_form.is_valid():
                return None
            decisions.comment_moderate(
                comment=comment,
                action=decision_form.cleaned_data["action"],
                moderator=request.user,
                clause=decision_form.cleaned_data["clause"],
                note=decision_form.cleaned_data["note"],
                expected_status=decision_form.cleaned_data["seen_status"],
            )
            action = decisions.Action(decision_form.cleaned_data["action"])
            messages.success(request, _("%(action)s: done.") % {"action": action.label})
            return HttpResponseRedirect(next_url(request, comment))
        if op == "claim":
            decisions.comment_claim(comment=comment, moderator=request.user)
            messages.success(request, _("The comment is yours for the next few minutes."))
            return HttpResponseRedirect(here)
        if op == "release":
            decisions.comment_release(comment=comment, moderator=request.user)
            messages.success(request, _("Claim released."))
            return HttpResponseRedirect(here)
        if op == "respond":
            response_form = forms["response"] = ResponseForm(request.POST)
            if not response_form.is_valid():
                return None
            decisions.comment_response_set(
                comment=comment, status=response_form.cleaned_data["status"], moderator=request.user
            )
            messages.success(request, _("Response status saved."))
            return HttpResponseRedirect(here)
        if op == "reply":
            reply_form = forms["reply"] = OfficialReplyForm(request.POST)
            if not reply_form.is_valid():
                return None
            decisions.comment_official_reply(parent=comment, staff=request.user, text=reply_form.cleaned_data["text"])
            messages.success(request, _("Your reply is published with the policy team's badge."))
            return HttpResponseRedirect(here)
    except decisions.ModerationError as error:
        target = {"decide": "decision", "respond": "response", "reply": "reply"}.get(op, "decision")
        forms[target].add_error(None, str(error))
        return None
    messages.error(request, _("Unknown operation."))
    return HttpResponseRedirect(here)


def next_url(request, comment: Comment) -> str:
    """Back to the queue the moderator came from, so clearing it is one decision after another."""
    changelist = request.resolver_match.url_name.removesuffix("_change") + "_changelist"
    filters = request.GET.get("_changelist_filters", "")
    return reverse(f"admin:{changelist}") + (f"?{filters}" if filters else "")


def moderation_page_context(request, *, model_admin, comment: Comment, forms: dict) -> dict:
    comment_type = ContentType.objects.get_for_model(Comment)
    thread = Comment.objects.filter(root_id=comment.root_id or comment.pk).order_by("path")[:THREAD_LIMIT]
    attach_history([comment])
    claim = CommentClaim.objects.filter(comment=comment).select_related("moderator").first()
    allowed = [action for action in decisions.Action if comment.status in decisions.ALLOWED_FROM[action]]
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Moderate a comment"),
        "subtitle": str(comment),
        "comment": comment,
        "thread": thread,
        "events": ModerationEvent.objects.filter(content_type=comment_type, object_id=comment.pk)
        .select_related("actor", "clause")
        .order_by("created_at", "pk"),
        "flags": Flag.objects.filter(comment=comment).select_related("clause", "user"),
        "reasons": [pipeline.reason_label(reason) for reason in comment.reasons],
        "approved_count": comment.approved_count,
        "rejected_count": comment.rejected_count,
        "new_below": settings.COMMENTS_APPROVED_TO_TRUST,
        "claim_minutes": settings.COMMENTS_CLAIM_MINUTES,
        "claim": claim if claim and claim.is_live else None,
        "claimed_by_me": bool(claim and claim.is_live and claim.moderator_id == request.user.pk),
        "allowed_actions": allowed,
        "clause_actions": [action.value for action in decisions.NEEDS_CLAUSE],
        "team_response": team_response_of(comment),
        "can_moderate": can_moderate(request.user),
        "ban_url": reverse("admin:moderation_ban_add")
        + "?"
        + urlencode({"kind": "email", "value": comment.author_email, "reject_pending": "on"}),
        "changelist_url": next_url(request, comment),
        "author_comments_url": reverse("admin:comments_comment_changelist")
        + "?"
        + urlencode({"author": comment.author_email}),
        # The page needs its width for the comment and its context; the queue tabs lead everywhere else.
        "is_nav_sidebar_enabled": False,
        **{f"{name}_form": form for name, form in forms.items()},
    }


# --- Monthly figures --------------------------------------------------------------------------


def monthly_figures(request, *, model_admin) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    month = figures.parse_month(request.GET.get("month"))
    result = figures.monthly_figures(month=month)
    if request.GET.get("format") == "csv":
        return figures_csv(result)
    return TemplateResponse(
        request,
        "comments/staff_figures.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": _("Moderation figures for %(month)s") % {"month": month.strftime("%B %Y")},
            "figures": result,
        },
    )


def figures_csv(result: figures.Figures) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="moderation-figures-{result.month:%Y-%m}.csv"'
    writer = csv.writer(response)
    writer.writerow(["discussion", "received", "published", "rejected", "spam", "median hours to decision"])
    for row in [*result.targets, result.total]:
        label = row.label or _("All discussions")
        writer.writerow(
            [
                formula_safe(label),
                row.received,
                row.published,
                row.rejected,
                row.spam,
                "" if row.median_hours is None else row.median_hours,
            ]
        )
    writer.writerow([])
    writer.writerow(["clause", "rejections and removals"])
    for clause, count in result.by_clause:
        writer.writerow([formula_safe(clause), count])
    writer.writerow([])
    writer.writerow(["automatic check", "comments"])
    for reason, count in result.by_reason:
        writer.writerow([formula_safe(reason), count])
    return response
