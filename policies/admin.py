from weakref import WeakKeyDictionary

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin import StampedAdmin
from core.admin_widgets import SafeAutocompleteMixin
from core.images import CheckedImageField
from core.models import Stamped
from policies.forms import AnalysisForm, CompareForm
from policies.models import AnalysisUpdate, Author, Figure, PolicyAnalysis, QuoteCitation, Report
from policies.revisions import compare_versions
from policies.selectors import PREVIEW_CITATIONS_MAX, analysis_preview_blocks
from policies.services import (
    analysis_announce,
    analysis_hero_renditions_refresh,
    analysis_save,
    analysis_state_before_save,
    figure_renditions_refresh,
)


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


class QuoteCitationInline(SafeAutocompleteMixin, admin.StackedInline):
    model = QuoteCitation
    extra = 0
    autocomplete_fields = ("quote",)
    verbose_name = _("cited quote")
    verbose_name_plural = _("cited quotes: place each in the body with [[quote:position]]")


@admin.register(AnalysisUpdate)
class AnalysisUpdateAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    """The updates readers see: correct a note, or remove an update that only fixed a typo. Saving a
    published analysis with a changed body adds one."""

    list_display = ("analysis", "made_at", "note")
    list_select_related = ("analysis",)
    search_fields = ("note", "analysis__title")
    autocomplete_fields = ("analysis",)
    date_hierarchy = "made_at"


# The stored analysis before the admin's revert view writes an old version over it: the update readers
# see compares the body they last read with the restored one.
_STATE_BEFORE_RESTORE: "WeakKeyDictionary[HttpRequest, PolicyAnalysis]" = WeakKeyDictionary()


# A body box tall enough to write in (it was seven lines); the standfirst is a sentence or two.
TEXT_BOXES = {
    "body": {"rows": 30, "class": "vLargeTextField markdown-editor__text"},
    "standfirst": {"rows": 3, "class": "vLargeTextField"},
}


def posted_citations(data) -> list[tuple[int, int]]:
    """(position, quote id) of the citation rows in a posted analysis form, less those marked for deletion."""
    total = data.get("citations-TOTAL_FORMS", "")
    rows = min(int(total), PREVIEW_CITATIONS_MAX) if total.isdigit() else 0
    citations = []
    for row in range(rows):
        quote, position = data.get(f"citations-{row}-quote", ""), data.get(f"citations-{row}-position", "")
        if quote.isdigit() and position.isdigit() and not data.get(f"citations-{row}-DELETE"):
            citations.append((int(position), int(quote)))
    return citations


@admin.register(PolicyAnalysis)
class PolicyAnalysisAdmin(VersionAdmin, StampedAdmin):
    form = AnalysisForm
    change_form_template = "admin/policies/policyanalysis/change_form.html"
    object_history_template = "admin/policies/policyanalysis/object_history.html"
    revision_form_template = "admin/policies/policyanalysis/revision_form.html"
    history_latest_first = True
    list_display = ("title", "author", "status", "publish_at", "is_live", "preview_link")
    list_filter = ("status", "topics", "author")
    list_select_related = ("author",)
    search_fields = ("title", "standfirst", "body")
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author", "topics", "reports", "featured_webinar")
    inlines = (QuoteCitationInline,)
    fieldsets = (
        (None, {"fields": ("section", "title", "slug", "author", "kind", "standfirst", "body", "change_note")}),
        (_("Hero image"), {"fields": ("hero_image", "hero_alt", "hero_caption")}),
        (_("Filing"), {"fields": ("topics", "reports", "featured_webinar")}),
        (_("Publication"), {"fields": ("status", "publish_at", "comments_open", "close_comments_after_days")}),
        (_("History"), {"classes": ("collapse",), "fields": StampedAdmin.readonly_fields}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in TEXT_BOXES:
            kwargs["widget"] = AdminTextareaWidget(attrs=TEXT_BOXES[db_field.name])
        if db_field.name == "hero_image":
            kwargs["form_class"] = CheckedImageField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        compare = self.admin_site.admin_view(self.compare_view)
        return [
            path("preview/", preview, name="policies_policyanalysis_preview"),
            path("<path:object_id>/history/compare/", compare, name="policies_policyanalysis_compare"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # The list edits nothing, so it opens no revision: reversion's would wrap every view of it in a
        # transaction.
        context = {"has_change_permission": self.has_change_permission(request), **(extra_context or {})}
        return super(VersionAdmin, self).changelist_view(request, context)

    def save_model(self, request: HttpRequest, obj: Stamped, form, change: bool) -> None:
        """Through the service, inside the admin's revision: the version is kept with the topics and
        quotes saved after this, and a published body that changes becomes an update readers see."""
        assert isinstance(obj, PolicyAnalysis)
        user = request.user
        assert isinstance(user, User)  # the admin serves signed-in staff only
        before = _STATE_BEFORE_RESTORE.pop(request, None) or analysis_state_before_save(obj)
        analysis_save(analysis=obj, user=user, change_note=form.cleaned_data.get("change_note", ""), before=before)
        if "hero_image" in form.changed_data or (obj.hero_image and not obj.hero_renditions):
            analysis_hero_renditions_refresh(analysis=obj)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restoring: the form shows the old version; saving it makes a new version (the ones between stay)."""
        if request.method == "POST":
            stored = PolicyAnalysis.objects.filter(pk=unquote(object_id)).first()
            if stored is not None:
                _STATE_BEFORE_RESTORE[request] = stored
        return super().revision_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        """Every version, latest first, each with a link to compare it with the one before and to restore it."""
        versions = self.versions_of(object_id)
        rows = [
            {
                "version": version,
                "restore_url": reverse("admin:policies_policyanalysis_revision", args=(version.object_id, version.pk)),
                "compare_query": f"older={previous.pk}&newer={version.pk}" if previous else "",
            }
            for version, previous in zip(versions, [*versions[1:], None][: len(versions)], strict=True)
        ]
        compare_form = None
        if len(versions) > 1:
            compare_form = CompareForm(versions=versions, initial={"older": versions[1].pk, "newer": versions[0].pk})
        context = {"rows": rows, "compare_form": compare_form}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def versions_of(self, object_id: str) -> list[Version]:
        """The analysis's versions, latest first."""
        return list(
            Version.objects.get_for_object_reference(PolicyAnalysis, unquote(object_id))
            .select_related("revision__user")
            .order_by("-pk")
        )

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Two versions side by side, field by field, with a word diff of what changed."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        analysis = self.get_object(request, unquote(object_id))
        if analysis is None:
            raise Http404
        versions = self.versions_of(object_id)
        form = CompareForm(request.GET, versions=versions)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": analysis,
            "title": _("Compare versions of “%(title)s”") % {"title": analysis.title},
            "form": form,
            "is_nav_sidebar_enabled": False,
        }
        status = 200
        if form.is_valid():
            by_pk = {version.pk: version for version in versions}
            older, newer = sorted(
                (by_pk[form.cleaned_data["older"]], by_pk[form.cleaned_data["newer"]]), key=lambda v: v.pk
            )
            context.update(
                older=older,
                newer=newer,
                changes=compare_versions(older, newer),
                restore_url=reverse("admin:policies_policyanalysis_revision", args=(analysis.pk, older.pk)),
            )
        else:
            status = 400
        return TemplateResponse(request, "admin/policies/policyanalysis/compare.html", context, status=status)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The body and its preview need the page's width; the breadcrumbs lead back.
        extra_context = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The body as the analysis page renders it: a fragment for the editor's live preview, or a
        page of its own for the "Preview" button, which works without JavaScript."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        fragment = request.GET.get("fragment") == "1"
        context = {
            "blocks": analysis_preview_blocks(
                body=request.POST.get("body", ""), citations=posted_citations(request.POST)
            ),
            "title": _("Preview"),
            "subtitle": request.POST.get("title", "")[:200],
        }
        if fragment:
            return TemplateResponse(request, "admin/policies/policyanalysis/preview_body.html", context)
        context.update(self.admin_site.each_context(request), opts=self.opts, is_nav_sidebar_enabled=False)
        return TemplateResponse(request, "admin/policies/policyanalysis/preview.html", context)

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


@admin.register(Figure)
class FigureAdmin(StampedAdmin):
    # The thumbnail is not a link: with the empty alt a decorative preview needs, the link would have no name.
    list_display = ("thumbnail", "slug", "caption", "decorative", "has_data_table")
    list_display_links = ("slug",)
    list_filter = ("decorative",)
    search_fields = ("slug", "caption", "alt_text", "credit")
    readonly_fields = ("marker", "preview", "size", *StampedAdmin.readonly_fields)
    fieldsets = (
        (None, {"fields": ("slug", "marker", "image", "preview", "size")}),
        (_("For readers"), {"fields": ("alt_text", "decorative", "caption", "credit")}),
        (_("Chart data"), {"fields": ("data_table",)}),
        (_("History"), {"classes": ("collapse",), "fields": StampedAdmin.readonly_fields}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "image":
            kwargs["form_class"] = CheckedImageField
        if db_field.name == "data_table":
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 8, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Stamped, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        assert isinstance(obj, Figure)
        if "image" in form.changed_data or not obj.renditions:
            figure_renditions_refresh(figure=obj)

    @admin.display(description=_("picture"))
    def thumbnail(self, obj: Figure) -> str:
        return self._rendition(obj, width=80)

    @admin.display(description=_("as saved"))
    def preview(self, obj: Figure) -> str:
        # Empty alt: the picture sits beside the alt text being written for it.
        return self._rendition(obj, width=320) if obj.image else "—"

    def _rendition(self, obj: Figure, width: int) -> str:
        name = obj.renditions[0]["webp"] if obj.renditions else obj.image.name
        return format_html('<img src="{}" alt="" width="{}" loading="lazy">', obj.image.storage.url(name), width)

    @admin.display(description=_("cite it with"))
    def marker(self, obj: Figure) -> str:
        return obj.marker if obj.slug else "—"

    @admin.display(description=_("size in pixels"))
    def size(self, obj: Figure) -> str:
        return f"{obj.width} × {obj.height}" if obj.width else "—"

    @admin.display(boolean=True, description=_("data table"))
    def has_data_table(self, obj: Figure) -> bool:
        return bool(obj.data_table.strip())
