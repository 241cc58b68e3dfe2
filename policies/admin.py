from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import StampedAdmin
from core.admin_widgets import SafeAutocompleteMixin
from policies.models import Author, PolicyAnalysis, QuoteCitation, Report
from policies.services import analysis_announce


@admin.register(Author)
class AuthorAdmin(StampedAdmin):
    list_display = ("name", "role")
    search_fields = ("name", "role")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Report)
class ReportAdmin(StampedAdmin):
    list_display = ("title", "published_on")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}


class QuoteCitationInline(SafeAutocompleteMixin, admin.TabularInline):
    model = QuoteCitation
    extra = 0
    autocomplete_fields = ("quote",)
    verbose_name = _("cited quote")
    verbose_name_plural = _("cited quotes: place each in the body with [[quote:position]]")


@admin.register(PolicyAnalysis)
class PolicyAnalysisAdmin(StampedAdmin):
    list_display = ("title", "author", "status", "publish_at", "is_live", "preview_link")
    list_filter = ("status", "topics", "author")
    list_select_related = ("author",)
    search_fields = ("title", "standfirst", "body")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author", "topics", "reports")
    inlines = (QuoteCitationInline,)
    fieldsets = (
        (None, {"fields": ("section", "title", "slug", "author", "kind", "standfirst", "body")}),
        (_("Hero image"), {"fields": ("hero_image", "hero_alt", "hero_caption")}),
        (_("Filing"), {"fields": ("topics", "reports")}),
        (_("Publication"), {"fields": ("status", "publish_at", "comments_open", "close_comments_after_days")}),
        (_("History"), {"classes": ("collapse",), "fields": StampedAdmin.readonly_fields}),
    )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # After the topics are saved, so the announcement reaches their subscribers;
        # a scheduled analysis is announced by the beat job when its time comes.
        analysis_announce(analysis=form.instance)

    @admin.display(boolean=True, description=_("on the site"))
    def is_live(self, obj: PolicyAnalysis) -> bool:
        return obj.is_published

    @admin.display(description=_("page"))
    def preview_link(self, obj: PolicyAnalysis) -> str:
        label = _("View") if obj.is_published else _("Preview")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label)
