"""The moderators' and editors' admin for the rules and the record: the comment policy, blocked terms,
trusted commenters and the audit log (bans are in ``comments.admin``, as making one can reject the
banned author's pending comments).
"""

import csv
from collections.abc import Iterator

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_widgets import SafeAutocompleteMixin
from core.pagination import CappedPaginator
from core.spreadsheets import Echo, formula_safe
from moderation.models import BlockedTerm, CommentPolicy, ModerationEvent, PolicyClause, PolicyVersion, TrustedCommenter

# --- The audit log -------------------------------------------------------------------------


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_column", "action", "from_status", "to_status", "clause", "subject_column")
    list_filter = ("action", "to_status", ("created_at", admin.DateFieldListFilter), "content_type")
    list_select_related = ("actor", "clause", "content_type")
    search_fields = ("note", "actor__username", "actor__email")
    date_hierarchy = None
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedPaginator
    change_list_template = "admin/moderation/moderationevent/change_list.html"
    readonly_fields = (
        "created_at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "clause",
        "note",
        "reasons",
        "content_type",
        "object_id",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="moderation_moderationevent_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        return audit_csv(request, model_admin=self)

    @admin.display(description=_("who"), ordering="actor")
    def actor_column(self, event: ModerationEvent) -> str:
        return str(event.actor) if event.actor_id else gettext("system")

    @admin.display(description=_("about"))
    def subject_column(self, event: ModerationEvent) -> str:
        if event.content_type.model == "comment":
            url = reverse("admin:comments_comment_change", args=[event.object_id])
            return format_html('<a href="{}">{} #{}</a>', url, gettext("Comment"), event.object_id)
        return f"{event.content_type.name} #{event.object_id}"


# --- The audit log as CSV ---------------------------------------------------------------------


AUDIT_HEADER = ["time", "who", "action", "from", "to", "clause", "note", "about", "id", "reasons"]


def audit_rows(events) -> Iterator[list[str]]:
    yield AUDIT_HEADER
    for event in events.iterator(chunk_size=2000):
        yield [
            formula_safe(value)
            for value in (
                timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                event.actor or _("system"),
                event.action,
                event.from_status,
                event.to_status,
                event.clause or "",
                event.note,
                event.content_type.model,
                event.object_id,
                " ".join(event.reasons),
            )
        ]


def audit_csv(request, *, model_admin) -> StreamingHttpResponse:
    """The audit log as filtered on its admin page, streamed so a year of decisions costs no memory."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    changelist = model_admin.get_changelist_instance(request)
    events = changelist.get_queryset(request).select_related("actor", "clause", "content_type").order_by("created_at")
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in audit_rows(events)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="moderation-audit-{timezone.localdate()}.csv"'
    return response


# --- Blocked terms and trusted commenters ---------------------------------------------------------


class StampedListAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    readonly_fields = ("created_at", "created_by")

    def save_model(self, request, obj, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BlockedTerm)
class BlockedTermAdmin(StampedListAdmin):
    list_display = ("term", "action", "created_by", "created_at")
    list_filter = ("action",)
    search_fields = ("term",)


@admin.register(TrustedCommenter)
class TrustedCommenterAdmin(StampedListAdmin):
    list_display = ("__str__", "email", "user", "note", "created_by", "created_at")
    search_fields = ("email", "user__email", "note")
    autocomplete_fields = ("user",)


# --- The comment policy (editors) ------------------------------------------------------------


def policy_version_is_fixed(version: PolicyVersion | None) -> bool:
    """A version that has taken effect is what commenters agreed to and what decisions cite: it never changes.
    The policy changes by adding a new version."""
    return version is not None and version.pk is not None and version.has_taken_effect


class PolicyClauseInline(admin.TabularInline):
    model = PolicyClause
    extra = 1
    fields = ("number", "title", "text")

    def has_add_permission(self, request, obj=None) -> bool:
        return not policy_version_is_fixed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not policy_version_is_fixed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not policy_version_is_fixed(obj) and super().has_delete_permission(request, obj)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number", "effective_at", "created_by", "created_at")
    list_select_related = ("policy", "created_by")
    list_filter = ("policy",)
    fields = ("policy", "number", "effective_at", "text")
    inlines = [PolicyClauseInline]

    def get_readonly_fields(self, request, obj: PolicyVersion | None = None):
        return self.fields if policy_version_is_fixed(obj) else ()

    def has_delete_permission(self, request, obj: PolicyVersion | None = None) -> bool:
        return not policy_version_is_fixed(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        if policy_version_is_fixed(version) and request.method == "GET":
            messages.info(
                request,
                _("This version has been in force since %(date)s, so it can no longer change: add a new version.")
                % {"date": date_format(timezone.localtime(version.effective_at), "DATETIME_FORMAT")},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj: PolicyVersion, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PolicyVersionInline(admin.TabularInline):
    model = PolicyVersion
    extra = 0
    fields = ("number", "effective_at")
    readonly_fields = ("number", "effective_at")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CommentPolicy)
class CommentPolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "created_at")
    inlines = [PolicyVersionInline]
