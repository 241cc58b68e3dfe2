"""The consultation admin: editors build and conclude, analysts read and tag, moderators publish answers."""

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from consultations import antivirus, exports, routing, selectors, services
from consultations.admin import answers  # noqa: F401  importing it registers the answers desk
from consultations.attachments import file_response
from consultations.forms import AnnotateForm, TagForm
from consultations.models import (
    Answer,
    Attachment,
    Conditional,
    Consultation,
    LateResponseLink,
    Question,
    Response,
    Section,
)
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


ASK_WHEN_HELP = _(
    "Routing: leave empty to ask everyone. Otherwise choose the answers that lead here, all to one question "
    "(or all respondent types): this is asked only of respondents who gave one of them. Only questions "
    "asked earlier can be chosen; save a new question before routing on it."
)


class RoutingForm(forms.ModelForm):
    """The "ask only when" choice of a section or question: answers of an earlier question, or respondent types."""

    ask_when = forms.MultipleChoiceField(
        label=_("Ask only when"),
        required=False,
        help_text=ASK_WHEN_HELP,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    consultation: Consultation | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sources = routing_sources(
            self.consultation, exclude=self.instance.pk if isinstance(self.instance, Question) else None
        )
        groups: list[tuple[str, list[tuple[str, str]]]] = [
            (
                str(_("Respondent type")),
                [(f"respondent_type:{v}", str(label)) for v, label in Response.RespondentType.choices],
            )
        ]
        for question in self.sources.values():
            groups.append(
                (question.text[:80], [(f"question:{question.pk}:{v}", label) for v, label in question.option_choices()])
            )
        ask_when = self.fields["ask_when"]
        assert isinstance(ask_when, forms.MultipleChoiceField)
        ask_when.choices = groups
        instance = self.instance
        if instance.condition_source == Conditional.Source.RESPONDENT_TYPE:
            ask_when.initial = [f"respondent_type:{v}" for v in instance.condition_values]
        elif instance.condition_source == Conditional.Source.QUESTION:
            ask_when.initial = [f"question:{instance.condition_question_id}:{v}" for v in instance.condition_values]

    def clean(self) -> dict[str, Any]:
        super().clean()
        chosen = self.cleaned_data.get("ask_when") or []
        sources = {
            value.rsplit(":", 1)[0] if value.startswith("respondent_type:") else ":".join(value.split(":", 2)[:2])
            for value in chosen
        }
        if len(sources) > 1:
            self.add_error("ask_when", _("Choose answers to one question only (or respondent types only)."))
            return self.cleaned_data
        instance = self.instance
        instance.condition_source, instance.condition_question, instance.condition_values = "", None, []
        if not chosen:
            return self.cleaned_data
        [source] = sources
        if source == "respondent_type":
            instance.condition_source = Conditional.Source.RESPONDENT_TYPE
            instance.condition_values = [value.split(":", 1)[1] for value in chosen]
            return self.cleaned_data
        trigger = self.sources[int(source.split(":")[1])]
        if not self._after(trigger):
            self.add_error(
                "ask_when",
                _("Route only on a question asked earlier: “%(text)s” comes later.") % {"text": trigger.text},
            )
            return self.cleaned_data
        instance.condition_source = Conditional.Source.QUESTION
        instance.condition_question = trigger
        instance.condition_values = [value.split(":", 2)[2] for value in chosen]
        return self.cleaned_data

    def _after(self, trigger: Question) -> bool:
        raise NotImplementedError


def routing_sources(consultation: Consultation | None, exclude: int | None) -> dict[int, Question]:
    """The choice questions a section or question may be routed on, in questionnaire order."""
    if consultation is None or consultation.pk is None:
        return {}
    questions = (
        Question.objects.filter(consultation=consultation)
        .exclude(kind=Question.Kind.FREE_TEXT)
        .select_related("section")
        .order_by("section__order", "section_id", "order", "pk")
    )
    return {question.pk: question for question in questions if question.pk != exclude}


class SectionInlineForm(RoutingForm):
    class Meta:
        model = Section
        fields = ("order", "title", "intro")

    def _after(self, trigger: Question) -> bool:
        order = self.cleaned_data.get("order", 0)
        return (trigger.section.order, trigger.section_id) < (order, self.instance.pk or 1 << 62)


class RoutedInline(LockableInline):
    """Gives the inline's forms the consultation, whose earlier questions they may route on."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        kwargs["form"] = type(self.form.__name__, (self.form,), {"consultation": obj})
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("ask only when"))
    def ask_when(self, obj: Conditional) -> str:
        rule = routing.rule_of(obj)
        if rule is None:
            return str(_("Always"))
        if rule.source == routing.RESPONDENT_TYPE:
            labels = dict(Response.RespondentType.choices)
            return ", ".join(str(labels.get(value, value)) for value in sorted(rule.values))
        question = obj.condition_question
        assert question is not None
        return f"“{question.text}”: " + ", ".join(
            label for value, label in question.option_choices() if value in rule.values
        )


class SectionInline(RoutedInline):
    model = Section
    form = SectionInlineForm
    fields = ("order", "title", "intro", "ask_when")
    verbose_name_plural = _("sections: each is one page of the questionnaire")


class QuestionInlineForm(RoutingForm):
    class Meta:
        model = Question
        fields = (
            "section",
            "order",
            "text",
            "help_text",
            "kind",
            "required",
            "options",
            "allow_other",
            "accepts_files",
            "max_length",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        needs_options = data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        if needs_options and not data.get("options", "").strip():
            self.add_error("options", _("A choice question needs its options, one per line."))
        return data

    def _after(self, trigger: Question) -> bool:
        section = self.cleaned_data.get("section")
        if section is None:
            return False
        mine = (section.order, section.pk, self.cleaned_data.get("order", 0), self.instance.pk or 1 << 62)
        return (trigger.section.order, trigger.section_id, trigger.order, trigger.pk) < mine


class QuestionInline(RoutedInline):
    model = Question
    form = QuestionInlineForm
    fields = (
        ("section", "order"),
        "text",
        "help_text",
        ("kind", "required"),
        "options",
        "allow_other",
        "accepts_files",
        "max_length",
        "ask_when",
    )
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
        "virus_scanning",
    )
    inlines = (SectionInline, QuestionInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (_("Timing"), {"fields": ("is_published", "opens_at", "closes_at", "status_display", "opening_announced_at")}),
        (_("Contact and other formats"), {"fields": ("contact_email", "alternative_formats")}),
        (_("Related"), {"fields": ("topics", "analyses", "reports", "webinars")}),
        (
            _("Files attached to answers"),
            {
                "fields": (
                    "attachment_max_file_mb",
                    "attachment_max_total_mb",
                    "attachment_max_files",
                    "virus_scanning",
                ),
                "description": _(
                    "For questions that accept files (tick “accept files” on the question). Files are kept "
                    "privately: only the respondent, through their private link, and analysts can download them."
                ),
            },
        ),
        (
            _("Outcome: we asked, you said, we did"),
            {
                "fields": (
                    "you_said",
                    "we_did",
                    "final_report",
                    "summary_published",
                    "concluded_at",
                    "publish_outcome",
                ),
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

    @admin.display(description=_("virus scanning"))
    def virus_scanning(self, obj: Consultation) -> "StrOrPromise":
        if antivirus.is_configured():
            return _("Each file is scanned for viruses before it is accepted; a file that fails the scan is refused.")
        return _(
            "Files are not scanned for viruses: no antivirus daemon is configured (CLAMD_SOCKET). Analysts "
            "should open attached files with care."
        )

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

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Orders changed in the same save can put a question after one that depends on it.
        never = routing.forward_references(routing.questionnaire(form.instance.pk))
        if never:
            messages.warning(
                request,
                _("These are routed on a question asked after them, so they would never be asked: %(items)s.")
                % {"items": "; ".join(never)},
            )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/analysis/", view(self.analysis_view), name="consultations_analysis"),
            path("<int:pk>/analysis/<int:question_pk>/", view(self.question_view), name="consultations_question"),
            path("<int:pk>/export.csv", view(self.export_csv), name="consultations_export_csv"),
            path("<int:pk>/export.xlsx", view(self.export_xlsx), name="consultations_export_xlsx"),
            path("<int:pk>/conclude/", view(self.conclude_view), name="consultations_conclude"),
            path("<int:pk>/files/<str:key>/", view(self.attachment_view), name="consultations_attachment"),
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
        files = (
            selectors.question_files(question=question, responses=[answer.response_id for answer in page])
            if question.accepts_files
            else {}
        )
        for answer in page:
            answer.uploads = files.get(answer.response_id, [])
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
            "file_only": selectors.question_file_only_answers(question) if question.accepts_files else [],
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
            quote = request.POST.get(f"a{answer.pk}-quote") == "on"
            try:
                services.answer_mark_quote(answer=answer, quote=quote, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
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

    def attachment_view(self, request: HttpRequest, pk: int, key: str) -> FileResponse:
        """A file attached to a sent response, for analysts; drafts stay their authors' own."""
        consultation = self._for_analysis(request, pk)
        attachment = get_object_or_404(
            Attachment.objects.filter(response__consultation=consultation, response__status=Response.Status.SUBMITTED),
            key=key,
        )
        return file_response(attachment)

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
        fields = [field.name for field in Response._meta.fields if field.name not in ("analysed", "token")]
        return [*fields, "attached_files"]

    @admin.display(description=_("attached files"))
    def attached_files(self, obj: Response) -> str:
        """Links for analysts (the download checks the permission); a draft's files are its author's alone."""
        if obj.pk is None or obj.status != Response.Status.SUBMITTED:
            return "—"
        attachments = list(obj.attachments.select_related("question"))
        if not attachments:
            return "—"
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> ({}, {})</li>',
            (
                (
                    reverse("admin:consultations_attachment", args=[obj.consultation_id, attachment.key]),
                    attachment.filename,
                    attachment.question.text,
                    filesizeformat(attachment.size),
                )
                for attachment in attachments
            ),
        )
        return format_html("<ul>{}</ul>", items)

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
