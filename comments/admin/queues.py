"""The moderation queues in the admin: one entry per queue, their rows, filters and bulk decisions.

Every decision made here goes through ``comments.decisions.comment_moderate``; no
status is ever edited as a field.
"""

from typing import TYPE_CHECKING, ClassVar, TypedDict

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.permissions import staff_can
from comments import decisions, pipeline, queues
from comments.admin import views
from comments.admin.filters import AnalysisFilter, AuthorFilter, ReasonFilter, TopicFilter
from comments.forms import DecisionActionForm
from comments.models import ApprovedComment, Comment, PendingComment, RejectedComment, ReportedComment, SpamComment
from comments.queues import attach_history
from core.pagination import PAGE_COUNT_CAP, CappedPaginator
from moderation.models import PolicyClause

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    from comments.models import Flag

    class OpenReports(TypedDict):
        open_flags: list[Flag]

    # A row of a queue: QueueAdmin.get_queryset prefetches its open reports.
    QueueRow = WithAnnotations[Comment, OpenReports]

Action = decisions.Action
Status = Comment.Status


class QueueChangeList(ChangeList):
    def get_results(self, request) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_history(self.result_list)


def decision_action(action: Action, description: "StrOrPromise"):
    def run(model_admin: "QueueAdmin", request, queryset) -> None:
        model_admin.decide_selected(request, queryset, action)

    run.__name__ = f"{action.value}_selected"
    return admin.action(description=description, permissions=["change"])(run)


approve_selected = decision_action(Action.APPROVE, _("Approve the selected comments"))
reject_selected = decision_action(Action.REJECT, _("Reject the selected comments (choose a clause)"))
spam_selected = decision_action(Action.SPAM, _("Mark the selected comments as spam"))
remove_selected = decision_action(Action.REMOVE, _("Remove the selected comments (choose a clause)"))
restore_selected = decision_action(Action.RESTORE, _("Restore the selected comments"))
keep_selected = decision_action(Action.KEEP, _("Keep published and dismiss the reports"))
hold_selected = decision_action(Action.HOLD, _("Send the selected comments back to the queue"))


@admin.action(
    description=_("Claim the selected comments for %(claim)s minutes") % {"claim": 10}, permissions=["change"]
)
def claim_selected(model_admin: "QueueAdmin", request, queryset) -> None:
    claimed = 0
    for comment in queryset.order_by("pk"):
        try:
            decisions.comment_claim(comment=comment, moderator=request.user)
        except decisions.ModerationError as error:
            model_admin.message_user(request, f"#{comment.pk}: {error}", messages.WARNING)
        else:
            claimed += 1
    if claimed:
        model_admin.message_user(
            request, ngettext("Claimed %(n)s comment.", "Claimed %(n)s comments.", claimed) % {"n": claimed}
        )


@admin.action(description=_("Release my claims on the selected comments"), permissions=["change"])
def release_selected(model_admin: "QueueAdmin", request, queryset) -> None:
    released = sum(decisions.comment_release(comment=comment, moderator=request.user) for comment in queryset)
    model_admin.message_user(
        request, ngettext("Released %(n)s claim.", "Released %(n)s claims.", released) % {"n": released}
    )


def selected_ids(request) -> set[int]:
    return {int(pk) for pk in request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME) if pk.isdigit()}


def left_the_queue(ids: set[int]) -> list[tuple[Comment, str]]:
    """Selected rows another moderator decided before this decision: the moderator hears who and when."""
    return [(comment, decisions.already_decided_message(comment)) for comment in Comment.objects.filter(pk__in=ids)]


class CommentPermissions:
    """The queues are views of Comment: whoever may act on comments may use every queue."""

    def _can(self, request, action: str) -> bool:
        return staff_can(request.user, f"comments.{action}_comment")

    def has_module_permission(self, request) -> bool:
        return self._can(request, "view")

    def has_view_permission(self, request, obj=None) -> bool:
        return self._can(request, "view") or self._can(request, "change")

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can(request, "change")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QueueAdmin(CommentPermissions, admin.ModelAdmin):
    queue: queues.Queue = queues.ALL
    list_display = ("comment_column", "author_column", "why_column", "claim_column", "received_column")
    list_display_links = None
    list_filter: ClassVar[tuple[type[admin.ListFilter] | tuple[str, type[admin.FieldListFilter]], ...]] = (
        AnalysisFilter,
        TopicFilter,
        ReasonFilter,
        ("created_at", admin.DateFieldListFilter),
        AuthorFilter,
    )
    search_fields = ("text", "author_name", "author_email")
    search_help_text = _("Search the text, the author's name or their email address.")
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    action_form = DecisionActionForm
    actions = [approve_selected, reject_selected, spam_selected, claim_selected, release_selected]
    change_list_template = "admin/comments/queue_change_list.html"

    def get_queryset(self, request):
        return (
            self.queue.queryset()
            .select_related("parent", "claim__moderator")
            .prefetch_related(
                Prefetch("flags", queryset=queues.open_reports().select_related("clause"), to_attr="open_flags"),
                "target",
            )
        )

    def get_ordering(self, request):
        return self.queue.ordering

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_search_results(self, request, queryset, search_term):
        """Search once, for the ids of the first matches in the queue's order, not once per query.

        The page and its capped count would each run the search over the whole queue; fixing the ids
        first makes both a primary-key lookup. A search shows the first PAGE_COUNT_CAP + 1 matches, as
        the capped paginator would.
        """
        if not search_term.strip():
            return queryset, False
        searched = queryset
        if self.queue.key == "reported":
            # A few open reports: searched among, by id. Left to itself the planner may read the whole
            # table in id order to meet the reports, filtering every row by the words.
            reported = list(queryset.values_list("pk", flat=True)[: queues.REPORTED_SEARCH_CAP])
            searched = Comment.objects.filter(pk__in=reported)
        matches = searched.filter(queues.search_matches(search_term)).order_by(*self.get_ordering(request))
        first_ids = list(matches.values_list("pk", flat=True)[: PAGE_COUNT_CAP + 1])
        return queryset.filter(pk__in=first_ids), False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup == "author" or super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": gettext("%(queue)s: comments to moderate") % {"queue": self.queue.label},
            "queue": self.queue,
            # The comment column needs the width; the queue tabs lead to every other queue.
            "is_nav_sidebar_enabled": False,
            # A callable: the template counts only when it renders the tabs, not on a POST that redirects.
            "queue_tabs": queues.queue_counts,
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return views.moderate_comment(request, model_admin=self, object_id=object_id)

    # --- Decisions --------------------------------------------------------------------

    def decide_selected(self, request, queryset, action: Action) -> None:
        clause_id = request.POST.get("clause", "")
        clause = PolicyClause.objects.filter(pk=clause_id).first() if clause_id.isdigit() else None
        if action in decisions.NEEDS_CLAUSE and clause is None:
            self.message_user(
                request,
                gettext("Choose the clause of the comment policy beside the action, then press Go again."),
                messages.ERROR,
            )
            return
        # Read the selection once, before deciding: a decided comment leaves the queue, and reading the
        # queue again afterwards took each one for a comment another moderator had decided meanwhile.
        in_queue = list(Comment.objects.filter(pk__in=queryset.values("pk")).order_by("pk"))
        outcome = decisions.comments_moderate_bulk(
            comments=in_queue,
            action=action,
            moderator=request.user,
            clause=clause,
            note=request.POST.get("note", "").strip()[:1000],
            expected_status=self.queue.status,
        )
        if outcome.decided:
            count = len(outcome.decided)
            self.message_user(
                request,
                ngettext("%(action)s: %(n)s comment.", "%(action)s: %(n)s comments.", count)
                % {"action": action.label, "n": count},
                messages.SUCCESS,
            )
        gone = selected_ids(request) - {comment.pk for comment in in_queue}
        for comment, reason in [*outcome.refused, *left_the_queue(gone)]:
            self.message_user(request, f"#{comment.pk} ({comment.author_name}): {reason}", messages.WARNING)

    # --- Columns ----------------------------------------------------------------------

    def change_url(self, comment: Comment) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[comment.pk])

    @admin.display(description=_("Comment"))
    def comment_column(self, comment: Comment) -> str:
        excerpt = Truncator(comment.text).chars(240)
        parent = ""
        if comment.parent is not None:
            parent = format_html(
                '<div class="mod-parent">{} <strong>{}</strong>: “{}”</div>',
                gettext("In reply to"),
                comment.parent.author_name,
                Truncator(comment.parent.text).chars(120),
            )
        status = ""
        if self.queue.status is None:
            status = format_html(
                '<span class="mod-status mod-status--{}">{}</span> ', comment.status, comment.get_status_display()
            )
        return format_html(
            '{}<a href="{}" class="mod-excerpt">{}</a>{}<div class="mod-where">{} <a href="{}">{}</a></div>',
            status,
            self.change_url(comment),
            excerpt,
            parent,
            gettext("On"),
            comment.get_absolute_url(),
            str(comment.target) if comment.target else gettext("(deleted page)"),
        )

    @admin.display(description=_("Author"))
    def author_column(self, comment: Comment) -> str:
        approved = getattr(comment, "approved_count", 0)
        rejected = getattr(comment, "rejected_count", 0)
        new = ""
        if approved < settings.COMMENTS_APPROVED_TO_TRUST:
            new = format_html(' <span class="mod-tag mod-tag--new">{}</span>', gettext("New"))
        organisation = ""
        if comment.organisation:
            organisation = format_html('<div class="mod-org">{} {}</div>', gettext("For"), comment.organisation)
        declaration = ""
        if comment.declaration_of_interest:
            declaration = format_html(
                '<div class="mod-declaration">{} {}</div>',
                gettext("Declares:"),
                Truncator(comment.declaration_of_interest).chars(160),
            )
        return format_html(
            '<strong>{}</strong>{}<div><a href="?{}">{}</a></div><div class="mod-history">{}</div>{}{}',
            comment.author_name,
            new,
            urlencode({"author": comment.author_email}),
            comment.author_email,
            gettext("%(approved)s approved · %(rejected)s rejected") % {"approved": approved, "rejected": rejected},
            organisation,
            declaration,
        )

    @admin.display(description=_("Why it is here"))
    def why_column(self, comment: "QueueRow") -> str:
        reasons = format_html_join("", "<li>{}</li>", ((pipeline.reason_label(r),) for r in comment.reasons))
        reports = format_html_join(
            "",
            '<li class="mod-report">{} {}. {}{}</li>',
            (
                (
                    gettext("Report:"),
                    flag.clause.number,
                    flag.clause.title,
                    f" — {Truncator(flag.note).chars(100)}" if flag.note else "",
                )
                for flag in comment.open_flags
            ),
        )
        if not reasons and not reports:
            return "—"
        return format_html('<ul class="mod-reasons">{}{}</ul>', reasons, reports)

    @admin.display(description=_("Claimed"))
    def claim_column(self, comment: Comment) -> str:
        claim = getattr(comment, "claim", None)
        if claim is None or not claim.is_live:
            return "—"
        return format_html(
            '<span class="mod-claim">{}</span>',
            gettext("%(moderator)s, %(minutes)s min left")
            % {
                "moderator": claim.moderator,
                "minutes": max(1, int((claim.expires_at - timezone.now()).total_seconds() // 60)),
            },
        )

    @admin.display(description=_("Received"), ordering="created_at")
    def received_column(self, comment: Comment) -> str:
        return format_html(
            '<time datetime="{}">{}</time><div class="mod-age">{}</div>',
            comment.created_at.isoformat(),
            timezone.localtime(comment.created_at).strftime("%d %b %Y %H:%M"),
            gettext("%(age)s ago") % {"age": timesince(comment.created_at)},
        )


@admin.register(PendingComment)
class PendingAdmin(QueueAdmin):
    queue = queues.PENDING
    actions = [approve_selected, reject_selected, spam_selected, claim_selected, release_selected]


@admin.register(ReportedComment)
class ReportedAdmin(QueueAdmin):
    queue = queues.REPORTED
    actions = [keep_selected, remove_selected, approve_selected, spam_selected, claim_selected, release_selected]


@admin.register(SpamComment)
class SpamAdmin(QueueAdmin):
    queue = queues.SPAM
    actions = [restore_selected, reject_selected]


@admin.register(ApprovedComment)
class ApprovedAdmin(QueueAdmin):
    queue = queues.APPROVED
    actions = [remove_selected, spam_selected, hold_selected]


@admin.register(RejectedComment)
class RejectedAdmin(QueueAdmin):
    queue = queues.REJECTED
    actions = [restore_selected, spam_selected]


@admin.register(Comment)
class AllCommentsAdmin(QueueAdmin):
    queue = queues.ALL
    actions = [
        approve_selected,
        reject_selected,
        spam_selected,
        remove_selected,
        restore_selected,
        claim_selected,
        release_selected,
    ]
    list_filter = (("status", admin.ChoicesFieldListFilter), *QueueAdmin.list_filter)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Erasing a comment outright is for data-protection requests, not moderation.
        return request.user.is_superuser

    def get_urls(self):
        figures = path("figures/", self.admin_site.admin_view(self.figures_view), name="comments_comment_figures")
        return [figures, *super().get_urls()]

    def figures_view(self, request):
        return views.monthly_figures(request, model_admin=self)
