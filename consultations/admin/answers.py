"""The moderators' queue of answers whose respondents agreed to publication.

Decisions go through ``services.answer_moderate`` and are recorded in the moderation app's audit log as a
``ModerationEvent``, citing the comment policy's clauses, like every other moderation decision.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from consultations import services
from consultations.models import Answer
from moderation.models import ModerationEvent, PolicyClause, PolicyVersion


class ModerateAnswerForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(
            ("approve", _("Publish as written")),
            ("redact", _("Publish with redactions")),
            ("reject", _("Do not publish")),
        ),
        widget=forms.RadioSelect,
    )
    redacted_text = forms.CharField(
        label=_("Text to publish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For a redaction: the answer with the offending parts replaced by [redacted]."),
    )
    clause = forms.ModelChoiceField(
        queryset=PolicyClause.objects.none(),
        required=False,
        help_text=_("Required to reject: the comment policy clause the answer breaks."),
    )
    reason = forms.CharField(
        label=_("Reason, for the audit log"), required=False, help_text=_("Required for a redaction.")
    )

    class Meta:
        model = Answer
        fields = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        version = PolicyVersion.objects.current()
        clause = self.fields["clause"]
        assert isinstance(clause, forms.ModelChoiceField)
        clause.queryset = version.clauses.all() if version else PolicyClause.objects.none()
        if not self.is_bound and self.instance.pk:
            self.fields["redacted_text"].initial = self.instance.published_text or self.instance.text


@admin.register(Answer)
class AnswerModerationAdmin(admin.ModelAdmin):
    """The queue of answers whose respondents consented to publication."""

    form = ModerateAnswerForm
    list_display = ("response", "question", "excerpt", "publication", "concerns")
    list_filter = ("publication", "response__consultation")
    list_select_related = ("response", "question")
    search_fields = ("text", "response__public_reference")
    readonly_fields = ("consultation", "question", "answer_text", "published_as", "concerns", "history")
    fieldsets = (
        (None, {"fields": ("consultation", "question", "answer_text", "concerns", "published_as")}),
        (_("Decision"), {"fields": ("decision", "redacted_text", "clause", "reason")}),
        (_("History"), {"fields": ("history",)}),
    )

    class Media:
        css = {"all": ["css/admin/consultation-analysis.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).exclude(publication=Answer.Publication.NOT_REQUESTED)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if "publication__exact" not in request.GET and not request.GET.get("_changelist_filters"):
            query = request.GET.copy()
            query["publication__exact"] = Answer.Publication.PENDING
            # The stubs type request.GET as the immutable QueryDict Django builds; a filled-in copy stands in for it.
            request.GET = query  # type: ignore[assignment]
        return super().changelist_view(request, extra_context)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("consultations.moderate_answer")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("consultations.moderate_answer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("consultation"))
    def consultation(self, obj: Answer) -> str:
        return obj.response.consultation.title

    @admin.display(description=_("answer"))
    def excerpt(self, obj: Answer) -> str:
        text = obj.display()
        return text if len(text) <= 80 else f"{text[:77]}…"

    @admin.display(description=_("answer as written"))
    def answer_text(self, obj: Answer) -> str:
        return format_html('<div class="answer-as-written">{}</div>', obj.display())

    @admin.display(description=_("published as"))
    def published_as(self, obj: Answer) -> str:
        return obj.published_text or "—"

    @admin.display(description=_("automatic checks"))
    def concerns(self, obj: Answer) -> str:
        return ", ".join(obj.moderation_reasons) or "—"

    @admin.display(description=_("decisions"))
    def history(self, obj: Answer) -> str:
        events = ModerationEvent.objects.filter(
            object_id=obj.pk, content_type=ContentType.objects.get_for_model(Answer)
        ).select_related("actor", "clause")
        rows = (
            (timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.actor or _("system"), e.action, e.to_status,
             e.clause or "", e.note)
            for e in events
        )  # fmt: skip
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {}: {} → {} {} {}</li>", rows)) or "—"

    def save_model(self, request: HttpRequest, obj: Answer, form, change: bool) -> None:
        data = form.cleaned_data
        services.answer_moderate(
            answer=obj,
            action=data["decision"],
            moderator=request.user,
            published_text=data.get("redacted_text", ""),
            note=data.get("reason", ""),
            clause=data.get("clause"),
        )

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        # The admin builds the form class per request; mypy cannot take a class held in a variable as a base.
        class CheckedForm(form_class):  # type: ignore[misc, valid-type]
            def clean(inner) -> dict:
                data = super().clean()
                try:
                    services.answer_moderation_check(
                        answer=obj,
                        action=data.get("decision", ""),
                        published_text=data.get("redacted_text", ""),
                        note=data.get("reason", ""),
                        clause=data.get("clause"),
                    )
                except ValidationError as error:
                    raise forms.ValidationError(error.messages) from None
                return data

        return CheckedForm
