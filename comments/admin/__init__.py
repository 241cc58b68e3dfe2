"""The moderators' admin: the queues (comments.admin_queues), the audit log, bans, terms and
trusted commenters; and the editors' comment policy.
"""

from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments import (
    admin_queues,  # noqa: F401  importing it registers the queues
    moderation,
    queues,
    staff_views,
)
from comments.models import (
    Ban,
    BlockedTerm,
    CommentPolicy,
    ConfirmedAddress,
    Flag,
    ModerationEvent,
    PolicyClause,
    PolicyVersion,
    TrustedCommenter,
)
from comments.moderation_forms import BanForm
from core.admin_widgets import SafeAutocompleteMixin

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
    paginator = queues.CappedPaginator
    change_list_template = "admin/comments/moderationevent/change_list.html"
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
                name="comments_moderationevent_export",
            ),
            path(
                "figures/",
                self.admin_site.admin_view(self.figures_view),
                name="comments_moderationevent_figures",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        return staff_views.audit_csv(request, model_admin=self)

    def figures_view(self, request):
        return staff_views.monthly_figures(request, model_admin=self)

    @admin.display(description=_("who"), ordering="actor")
    def actor_column(self, event: ModerationEvent) -> str:
        return str(event.actor) if event.actor_id else gettext("system")

    @admin.display(description=_("about"))
    def subject_column(self, event: ModerationEvent) -> str:
        if event.content_type.model == "comment":
            url = reverse("admin:comments_comment_change", args=[event.object_id])
            return format_html('<a href="{}">{} #{}</a>', url, gettext("Comment"), event.object_id)
        return f"{event.content_type.name} #{event.object_id}"


# --- Reports, sanctions and lists ----------------------------------------------------------


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("created_at", "comment_link", "clause", "note", "user", "resolved_at", "resolved_by")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter), "clause")
    list_select_related = ("comment", "clause__version", "user", "resolved_by")
    readonly_fields = ("comment", "clause", "note", "user", "created_at", "resolved_at", "resolved_by")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A report is resolved by a decision on its comment, never by editing it.
        return False

    @admin.display(description=_("comment"))
    def comment_link(self, flag: Flag) -> str:
        url = reverse("admin:comments_reportedcomment_change", args=[flag.comment_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(flag.comment.text).chars(80))


@admin.register(Ban)
class BanAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    form = BanForm
    list_display = ("__str__", "kind", "until", "active_column", "reason", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "reason", "user__email")
    autocomplete_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("kind", "value", "user", "until", "reason")}),
        (_("Pending comments"), {"fields": ("reject_pending", "clause")}),
    )

    @admin.display(description=_("in force"), boolean=True)
    def active_column(self, ban: Ban) -> bool:
        return ban.until is None or ban.until > timezone.now()

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj is None else self.fieldsets[:1]

    def save_model(self, request, obj: Ban, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        outcome = moderation.ban_create(
            ban=obj,
            moderator=request.user,
            reject_pending=form.cleaned_data.get("reject_pending", False),
            clause=form.cleaned_data.get("clause"),
        )
        if outcome.decided:
            count = len(outcome.decided)
            self.message_user(
                request,
                ngettext(
                    "Rejected %(n)s pending comment by this author.",
                    "Rejected %(n)s pending comments by this author.",
                    count,
                )
                % {"n": count},
            )
        for comment, reason in outcome.refused:
            self.message_user(request, f"#{comment.pk}: {reason}", messages.WARNING)


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


@admin.register(ConfirmedAddress)
class ConfirmedAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "confirmed_at")
    search_fields = ("email",)
    readonly_fields = ("email", "confirmed_at")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


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
