"""The consultation admin: editors build and conclude, analysts read and tag, moderators publish answers."""

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from consultations import exports, selectors, services
from consultations.admin import answers  # noqa: F401  importing it registers the answers desk
from consultations.forms import AnnotateForm, TagForm
from consultations.models import Answer, Consultation, LateResponseLink, Question, Response, Section
from core.admin import StampedAdmin
from core.admin_widgets import SafeAutocompleteMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

LOCKED = _(
    "The questions are locked because people have started responding: every response must answer the same "
    "questions. To change them, create a new consultation."
)


class LockableInline(admin.StackedInline):
    extra = 0

    def _locked(self, obj: Consultation | None) -> bool:
        return obj is not None and obj.questions_locked

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class SectionInline(LockableInline):
    model = Section
    fields = ("order", "title", "intro")
    verbose_name_plural = _("sections: each is one page of the questionnaire")


class QuestionInlineForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ("section", "order", "text", "help_text", "kind", "required", "options", "allow_other", "max_length")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        needs_options = data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        if needs_options and not data.get("options", "").strip():
            self.add_error("options", _("A choice question needs its options, one per line."))
        return data


class QuestionInline(LockableInline):
    model = Question
    form = QuestionInlineForm
    fields = (("section", "order"), "text", "help_text", ("kind", "required"), "options", "allow_other", "max_length")
    verbose_name_plural = _("questions")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "section":
            # Inline forms are only built inside the admin's URL-resolved views.
            assert request.resolver_match is not None
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                Section.objects.filter(consultation_id=object_id) if object_id else Section.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _ResponsesTotal(TypedDict):
    responses_total: int


@admin.register(Consultation)
class ConsultationAdmin(StampedAdmin):
    list_display = ("title", "status_display", "opens_at", "closes_at", "responses_count", "staff_links")
    list_filter = ("topics", "is_published")
    search_fields = ("title", "summary", "body")
    date_hierarchy = "opens_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics", "analyses", "reports", "webinars", "final_report")
    readonly_fields = (
        *StampedAdmin.readonly_fields,
        "status_display",
        "concluded_at",
        "opening_announced_at",
        "publish_outcome",
    )
    inlines = (SectionInline, QuestionInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (_("Timing"), {"fields": ("is_published", "opens_at", "closes_at", "status_display", "opening_announced_at")}),
        (_("Contact and other formats"), {"fields": ("contact_email", "alternative_formats")}),
        (_("Related"), {"fields": ("topics", "analyses", "reports", "webinars")}),
        (
            _("Outcome: we asked, you said, we did"),
            {
                "fields": ("you_said", "we_did", "final_report", "concluded_at", "publish_outcome"),
                "description": _(
                    "Write the outcome here and save; then use “Publish the outcome” to conclude the "
                    "consultation and email the respondents who asked to hear."
                ),
            },
        ),
        (_("History"), {"classes": ("collapse",), "fields": StampedAdmin.readonly_fields}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(responses_total=Count("responses"))

    @admin.display(description=_("status"))
    def status_display(self, obj: Consultation) -> "StrOrPromise":
        return obj.status_label if obj.pk else "—"

    @admin.display(description=_("publish"))
    def publish_outcome(self, obj: Consultation) -> "StrOrPromise":
        if obj.pk is None or obj.concluded_at:
            return "—"
        if obj.status != Consultation.Status.CLOSED:
            return _("Once the consultation has closed, publish the outcome from here.")
        url = reverse("admin:consultations_conclude", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Publish the outcome…"))

    @admin.display(description=_("responses"), ordering="responses_total")
    def responses_count(self, obj: "WithAnnotations[Consultation, _ResponsesTotal]") -> int:
        return obj.responses_total

    def get_list_display(self, request: HttpRequest):
        """The Analyse column only for those who may analyse: a link that answers 403 helps no one."""
        shown = super().get_list_display(request)
        if request.user.has_perm("consultations.analyse_consultation"):
            return shown
        return [name for name in shown if name != "staff_links"]

    @admin.display(description=_("analysis"))
    def staff_links(self, obj: Consultation) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:consultations_analysis", args=[obj.pk]), _("Analyse"))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        consultation = self.get_object(request, object_id)
        if consultation and consultation.questions_locked and request.method == "GET":
            messages.info(request, LOCKED)
        extra = {"consultation": consultation, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/analysis/", view(self.analysis_view), name="consultations_analysis"),
            path("<int:pk>/analysis/<int:question_pk>/", view(self.question_view), name="consultations_question"),
            path("<int:pk>/export.csv", view(self.export_csv), name="consultations_export_csv"),
            path("<int:pk>/export.xlsx", view(self.export_xlsx), name="consultations_export_xlsx"),
            path("<int:pk>/conclude/", view(self.conclude_view), name="consultations_conclude"),
            *super().get_urls(),
        ]

    # --- Analysis -----------------------------------------------------------------------

    def _for_analysis(self, request: HttpRequest, pk: int) -> Consultation:
        if not request.user.has_perm("consultations.analyse_consultation"):
            raise PermissionDenied
        return get_object_or_404(Consultation, pk=pk)

    def analysis_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = self._for_analysis(request, pk)
        questions = list(consultation.questions.select_related("section").annotate(tagged=Count("answers__tags")))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Analysis: %(title)s") % {"title": consultation.title},
            "consultation": consultation,
            "overview": selectors.analysis_overview(consultation),
            "questions": [(q, selectors.choice_counts(q) if q.is_choice else None) for q in questions],
            "opts": self.model._meta,
            "can_conclude": request.user.has_perm("consultations.conclude_consultation"),
        }
        return TemplateResponse(request, "consultations/consultation_admin_analysis.html", context)

    def question_view(self, request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
        consultation = self._for_analysis(request, pk)
        question = get_object_or_404(Question, pk=question_pk, consultation=consultation)
        if request.method == "POST":
            return self._question_post(request, consultation, question)
        tag_id = request.GET.get("tag")
        page = selectors.question_answers(
            question=question,
            page_number=request.GET.get("page"),
            tag_id=int(tag_id) if tag_id and tag_id.isdigit() else None,
            group=request.GET.get("group", ""),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": question.text,
            "consultation": consultation,
            "question": question,
            "counts": selectors.choice_counts(question) if question.is_choice else None,
            "tags": question.tags.annotate(n=Count("answers")),
            "groups": selectors.duplicate_groups(question) if not question.is_choice or question.allow_other else [],
            "page": page,
            "forms": [
                (
                    answer,
                    AnnotateForm(
                        question=question,
                        prefix=f"a{answer.pk}",
                        initial={"tags": list(answer.tags.all()), "note": answer.note},
                    ),
                )
                for answer in page
            ],
            "tag_form": TagForm(),
            "opts": self.model._meta,
            "query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "consultations/consultation_admin_question.html", context)

    def _question_post(self, request: HttpRequest, consultation: Consultation, question: Question) -> HttpResponse:
        back = f"{request.path}?{request.POST.get('query', '')}"
        if "new_tag" in request.POST:
            tag_form = TagForm({"name": request.POST.get("new_tag", "")})
            if tag_form.is_valid():
                services.tag_create(question=question, name=tag_form.cleaned_data["name"], actor=request.user)
            else:
                messages.error(request, _("Give the tag a name of up to 80 characters."))
            return redirect(back)
        if "group_tag" in request.POST:
            tag = get_object_or_404(question.tags, pk=request.POST.get("group_tag"))
            answers = question.answers.filter(fingerprint__in=request.POST.get("group", "").split(","))
            count = services.answers_tag_group(answers=answers, tag=tag)
            messages.success(request, _("Tagged %(count)d answers “%(tag)s”.") % {"count": count, "tag": tag.name})
            return redirect(back)
        answer = get_object_or_404(Answer, pk=request.POST.get("answer"), question=question)
        form = AnnotateForm(request.POST, question=question, prefix=f"a{answer.pk}")
        if form.is_valid():
            services.answer_annotate(
                answer=answer, tags=list(form.cleaned_data["tags"]), note=form.cleaned_data["note"]
            )
            analysed = request.POST.get(f"a{answer.pk}-analysed") == "on"
            services.responses_mark_analysed(
                responses=Response.objects.filter(pk=answer.response_id), analysed=analysed
            )
            messages.success(request, _("Saved the analysis of %(ref)s.") % {"ref": answer.response.public_reference})
        else:
            messages.error(request, _("Those tags could not be saved. Try again."))
        return redirect(f"{back}#answer-{answer.pk}")

    def export_csv(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        consultation = self._for_analysis(request, pk)
        response = StreamingHttpResponse(exports.csv_lines(consultation), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self._filename(consultation)}.csv"'
        return response

    def export_xlsx(self, request: HttpRequest, pk: int) -> FileResponse:
        consultation = self._for_analysis(request, pk)
        return FileResponse(
            exports.xlsx_file(consultation),
            as_attachment=True,
            filename=f"{self._filename(consultation)}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    @staticmethod
    def _filename(consultation: Consultation) -> str:
        return f"{consultation.slug}-responses-{timezone.localdate():%Y-%m-%d}"

    # --- Outcome ------------------------------------------------------------------------

    def conclude_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("consultations.conclude_consultation"):
            raise PermissionDenied
        consultation = get_object_or_404(Consultation, pk=pk)
        if request.method == "POST":
            try:
                services.consultation_conclude(consultation=consultation, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The outcome is published and respondents are being emailed."))
                return redirect("admin:consultations_consultation_change", consultation.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Publish the outcome of “%(title)s”") % {"title": consultation.title},
            "consultation": consultation,
            "recipients": consultation.responses.wanting_outcome().count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "consultations/consultation_admin_conclude.html", context)


@admin.register(LateResponseLink)
class LateResponseLinkAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ("consultation", "email", "expires_at", "created_by", "created_at")
    list_select_related = ("consultation", "created_by")
    search_fields = ("email", "consultation__title")
    autocomplete_fields = ("consultation",)
    fields = ("consultation", "email", "reason", "link")
    readonly_fields = ("link",)
    # The link is the invitee's secret: whoever holds it may respond in their name.
    view_on_site = False

    @admin.display(description=_("link"))
    def link(self, obj: LateResponseLink) -> "StrOrPromise":
        if obj.pk:
            return _("Emailed to the address above; only its holder sees it.")
        return _("Emailed to the address above once you save.")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: LateResponseLink, form, change: bool) -> None:
        issued = services.late_link_issue(
            consultation=obj.consultation, email=obj.email, reason=obj.reason, actor=request.user
        )
        obj.pk, obj.token, obj.expires_at = issued.pk, issued.token, issued.expires_at


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read-only for analysts; personal data is visible to staff only, never exported publicly."""

    list_display = ("public_reference", "consultation", "status", "respondent_type", "organisation", "analysed")
    list_filter = ("status", "respondent_type", "analysed", "consent", "tobacco_links", "consultation")
    list_select_related = ("consultation",)
    search_fields = ("public_reference", "reference", "organisation", "name")
    actions = ("mark_analysed", "mark_not_analysed")
    exclude = ("token",)
    # The response's own page is its author's private link (read, change, withdraw).
    view_on_site = False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in Response._meta.fields if field.name not in ("analysed", "token")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Mark as analysed"), permissions=["change"])
    def mark_analysed(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.responses_mark_analysed(responses=queryset, analysed=True)

    @admin.action(description=_("Mark as not analysed"), permissions=["change"])
    def mark_not_analysed(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.responses_mark_analysed(responses=queryset, analysed=False)
