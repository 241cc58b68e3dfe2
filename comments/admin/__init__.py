"""The moderators' admin for comments: the queues (``comments.admin.queues``), reader reports, bans and
confirmed addresses. The rules and the record (policy, terms, trust, audit log) are in ``moderation.admin``.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import decisions
from comments.admin import queues  # noqa: F401  importing it registers the queues
from comments.forms import BanForm
from comments.models import ConfirmedAddress, Flag
from core.admin_widgets import SafeAutocompleteMixin
from moderation.models import Ban

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
        outcome = decisions.ban_create(
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


@admin.register(ConfirmedAddress)
class ConfirmedAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "confirmed_at")
    search_fields = ("email",)
    readonly_fields = ("email", "confirmed_at")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False
