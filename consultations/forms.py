import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from consultations import filetypes, routing
from consultations.attachments import limits_hint
from consultations.models import OTHER, Answer, Attachment, Question, QuestionTag, Response, Section
from consultations.services import AnswerInput
from core.forms import ErrorSummaryMixin
from core.validators import DeliverableEmailField


def _describe(form: forms.BaseForm) -> None:
    """Point each input at its hint and error, so screen readers announce them."""
    auto_id = form.auto_id
    # These forms keep Django's default "id_%s", from which the templates also build the hint and error ids.
    assert isinstance(auto_id, str)
    for name, field in form.fields.items():
        ids = []
        if field.help_text:
            ids.append(f"{auto_id % name}-hint")
        if form.is_bound and name in form.errors:
            ids.append(f"{auto_id % name}-error")
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class QuestionnaireFormMixin(ErrorSummaryMixin):
    """The error summary of every public form, and each input pointed at its hint and error by the
    ids the questionnaire's templates give them."""

    def full_clean(self) -> None:
        super().full_clean()
        _describe(self)


class AboutYouForm(QuestionnaireFormMixin, forms.ModelForm):
    class Meta:
        model = Response
        fields = ("email", "name", "respondent_type", "organisation", "organisation_role")
        labels = {
            "email": _("Email address"),
            "name": _("Your name"),
            "respondent_type": _("Are you responding as an individual or on behalf of an organisation?"),
            "organisation": _("Organisation name"),
            "organisation_role": _("Your role in the organisation"),
        }
        help_texts = {
            "email": _("For your receipt and a link to come back to your response. It is never published."),
            "name": _("Optional for individuals. Published only if you ask us to publish with your name."),
            "organisation": _("Only if you respond on behalf of an organisation."),
        }
        widgets = {"respondent_type": forms.RadioSelect}
        field_classes = {"email": DeliverableEmailField}
        error_messages = {
            "email": {
                "required": _("Enter your email address, so that we can send your receipt."),
                "invalid": _("Enter an email address in the right format, like name@example.org."),
            },
            "respondent_type": {
                "required": _("Say whether you respond as an individual or on behalf of an organisation."),
            },
        }

    def __init__(self, *args, partial: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partial = partial
        self.fields["email"].required = not partial
        self.fields["respondent_type"].required = not partial
        respondent_type = self.fields["respondent_type"]
        assert isinstance(respondent_type, forms.ChoiceField)
        respondent_type.choices = Response.RespondentType.choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.partial and data.get("respondent_type") == Response.RespondentType.ORGANISATION:
            if not data.get("organisation", "").strip():
                self.add_error("organisation", _("Enter the name of the organisation you respond for."))
            if not data.get("organisation_role", "").strip():
                self.add_error("organisation_role", _("Enter your role in the organisation."))
            if not data.get("name", "").strip():
                self.add_error("name", _("Enter your name: organisations respond through a named person."))
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name, "") or "" for name in self.Meta.fields}


class DeclarationForm(QuestionnaireFormMixin, forms.ModelForm):
    accept_policy = forms.BooleanField(
        label=_("I have read the comment policy, which applies to anything published"), required=False
    )

    class Meta:
        model = Response
        fields = ("tobacco_links", "tobacco_links_details", "other_interests", "consent", "wants_outcome")
        labels = {
            "tobacco_links": _(
                "Do you, or the organisation you represent, have any direct or indirect links to, "
                "or receive funding from, the tobacco industry?"
            ),
            "tobacco_links_details": _("Describe the links or funding"),
            "other_interests": _("Any other interests to declare (optional)"),
            "consent": _("May we publish your response?"),
            "wants_outcome": _("Email me when the outcome is published"),
        }
        help_texts = {
            "tobacco_links": _(
                "We ask this of everyone, as UK health consultations do under Article 5.3 of the WHO Framework "
                "Convention on Tobacco Control. A “yes” does not stop your response being read."
            ),
            "tobacco_links_details": _("Only if you answered yes."),
            "other_interests": _("For example funding, employment or membership relevant to this consultation."),
        }
        widgets = {"tobacco_links": forms.RadioSelect, "consent": forms.RadioSelect}
        error_messages = {
            "tobacco_links": {"required": _("Say whether you have links to the tobacco industry.")},
            "consent": {"required": _("Say whether we may publish your response.")},
        }

    def __init__(self, *args, partial: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partial = partial
        tobacco_links = self.fields["tobacco_links"]
        consent = self.fields["consent"]
        assert isinstance(tobacco_links, forms.ChoiceField) and isinstance(consent, forms.ChoiceField)
        tobacco_links.required = not partial
        # Django has normalised the model field's choices, the blank choice first; the stubs type the setter's input.
        choices = tobacco_links.choices
        assert isinstance(choices, list | BaseChoiceIterator)
        tobacco_links.choices = list(choices)[1:]
        consent.required = not partial
        consent.choices = Response.Consent.choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("tobacco_links") == "yes" and not data.get("tobacco_links_details", "").strip():
            self.add_error("tobacco_links_details", _("Describe the links or funding you have declared."))
        publishing = data.get("consent") in (Response.Consent.NAMED, Response.Consent.ANONYMOUS)
        if not self.partial and publishing and not data.get("accept_policy"):
            self.add_error(
                "accept_policy", _("Tick to confirm you have read the comment policy, or choose not to publish.")
            )
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name in self.cleaned_data}


class _CommonFieldOptions(TypedDict):
    label: str
    help_text: str
    required: bool


ACCEPT = ",".join([*filetypes.BY_EXTENSION, *{kind.content_type.split(";")[0] for kind in filetypes.KINDS}])


@dataclass(frozen=True)
class Reveal:
    """A question shown on the page only while an earlier answer on the same page meets its condition."""

    field: str
    values: str  # JSON, for the page's script
    hint: "StrOrPromise"


class SectionForm(QuestionnaireFormMixin, forms.Form):
    """One page of the questionnaire: a field per question asked, plus "please specify" boxes for "Other"
    and a file field where the question accepts files (``uploads`` are the files already attached;
    ``oversized`` the file fields the upload handler stopped reading).

    Routing: a question whose condition rests on an earlier page or on the respondent type is on the
    page only if the condition holds (``facts``: what was known on arriving here). One whose condition
    rests on a question of this page is on the page, revealed by the page's script as that answer
    changes, and shown to everyone without JavaScript with a hint saying when to answer it; it is
    required, checked and saved only when the answers sent with it meet the condition.
    """

    summary_names_fields = True

    def __init__(
        self,
        *args,
        section: Section,
        answers: dict[int, Answer],
        uploads: dict[int, list[Attachment]] | None = None,
        oversized: set[str] | frozenset[str] = frozenset(),
        partial: bool = False,
        facts: routing.Facts | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.facts = dict(facts or {})
        self.uploads = uploads or {}
        self.oversized = oversized
        self.partial = partial
        everything = list(section.questions.all())
        on_page = {question.pk: question for question in everything}
        self.rules = {question.pk: routing.rule_of(question) for question in everything}
        self.questions = [q for q in everything if self._on_page(q, on_page)]
        self.reveals: dict[int, Reveal] = {}
        for question in self.questions:
            answer = answers.get(question.pk)
            rule = self.rules[question.pk]
            revealed = rule is not None and rule.source in on_page
            self.fields[f"q{question.pk}"] = self._field(question, answer, partial or revealed)
            if revealed:
                assert rule is not None
                self.reveals[question.pk] = Reveal(
                    field=f"q{rule.source}",
                    values=json.dumps(sorted(rule.values)),
                    hint=routing.condition_text(question, on_page),
                )
                self.fields[f"q{question.pk}"].help_text = " ".join(
                    str(text) for text in (question.help_text, self.reveals[question.pk].hint) if text
                )
            if question.allow_other:
                self.fields[f"q{question.pk}_other"] = forms.CharField(
                    label=_("Please specify"),
                    required=False,
                    max_length=500,
                    initial=answer.text if answer else "",
                )
            if question.accepts_files:
                self.fields[f"q{question.pk}_file"] = forms.FileField(
                    label=_("Attach a file"),
                    required=False,
                    help_text=limits_hint(section.consultation),
                    widget=forms.FileInput(attrs={"accept": ACCEPT}),
                    error_messages={"empty": _("The file you chose is empty. Choose the file again.")},
                )

    @property
    def accepts_files(self) -> bool:
        return any(question.accepts_files for question in self.questions)

    @staticmethod
    def _file_answers(question: Question) -> bool:
        """A file alone may answer a required free-text question."""
        return question.accepts_files and question.kind == Question.Kind.FREE_TEXT

    def _on_page(self, question: Question, on_page: dict[int, Question]) -> bool:
        rule = self.rules[question.pk]
        return rule is None or rule.source in on_page or rule.holds(self.facts)

    def _field(self, question: Question, answer: Answer | None, optional: bool) -> forms.Field:
        common: _CommonFieldOptions = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required and not optional and not self._file_answers(question),
        }
        kind = question.Kind
        if question.kind == kind.FREE_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=question.max_length,
                initial=answer.text if answer else "",
                error_messages={
                    "max_length": _("Your answer must be %(limit_value)d characters or fewer (it has %(show_value)d).")
                },
                **common,
            )
        if question.kind == kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=question.option_choices(),
                widget=forms.CheckboxSelectMultiple,
                initial=answer.selected if answer else [],
                error_messages={"required": _("Select at least one option.")},
                **common,
            )
        return forms.ChoiceField(
            choices=question.option_choices(),
            widget=forms.RadioSelect,
            initial=answer.selected[0] if answer and answer.selected else None,
            error_messages={"required": _("Select an answer.")},
            **common,
        )

    def applicable(self) -> set[int]:
        """The questions this page asks, given the answers sent with it (after cleaning)."""
        facts = dict(self.facts)
        asked = set()
        for question in self.questions:
            rule = self.rules[question.pk]
            if rule is not None and not rule.holds(facts):
                continue
            asked.add(question.pk)
            facts[question.pk] = routing.answer_fact(question, self._selected(question))
        return asked

    def _selected(self, question: Question) -> list[str]:
        value = self.cleaned_data.get(f"q{question.pk}")
        if question.kind == Question.Kind.FREE_TEXT:
            return []
        return value if isinstance(value, list) else ([value] if value else [])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        asked = self.applicable()
        for question in self.questions:
            name = f"q{question.pk}"
            if question.pk not in asked:
                # Not asked, so nothing typed or attached there counts: no error stands in the way.
                for key in (name, f"{name}_other", f"{name}_file"):
                    self.errors.pop(key, None)
                    data.pop(key, None)
                continue
            chosen = self._selected(question)
            if OTHER in chosen and question.allow_other and not data.get(f"{name}_other", "").strip():
                self.add_error(f"{name}_other", _("Say what “Other” means for you."))
            file_field = f"{name}_file"
            if file_field in self.oversized and file_field in self.fields:
                self.add_error(
                    file_field,
                    _("The file you chose is larger than %(limit)d MB. Attach a smaller file.")
                    % {"limit": self.section.consultation.attachment_max_file_mb},
                )
            answered = str(data.get(name) or "").strip() if question.kind == Question.Kind.FREE_TEXT else bool(chosen)
            has_file = bool(self.uploads.get(question.pk) or data.get(file_field) or file_field in self.oversized)
            unanswered = not answered and name not in self.errors
            must = question.required and not self.partial and unanswered
            if must and self._file_answers(question) and not has_file:
                self.add_error(name, _("Enter your answer or attach a file."))
            elif must and question.pk in self.reveals and not self._file_answers(question):
                self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def question_fields(
        self,
    ) -> list[
        tuple[forms.BoundField, forms.BoundField | None, forms.BoundField | None, list[Attachment], Reveal | None]
    ]:
        return [
            (
                self[f"q{q.pk}"],
                self[f"q{q.pk}_other"] if q.allow_other else None,
                self[f"q{q.pk}_file"] if q.accepts_files else None,
                self.uploads.get(q.pk, []),
                self.reveals.get(q.pk),
            )
            for q in self.questions
        ]

    def new_uploads(self) -> list[tuple[Question, str, "UploadedFile[bytes]"]]:
        """(question, field name, file) for each file chosen on this page that passed the form's checks.

        A question the answers on this page stopped asking keeps no file.
        """
        asked = self.applicable()
        chosen = []
        for question in self.questions:
            name = f"q{question.pk}_file"
            upload = self.cleaned_data.get(name) if name not in self.errors else None
            if upload and question.pk in asked:
                chosen.append((question, name, upload))
        return chosen

    def answers(self) -> dict[int, AnswerInput]:
        """Every question of the section: those not asked come back empty, so any earlier answer goes."""
        asked = self.applicable()
        result = {}
        for question in self.section.questions.all():
            if question.pk not in asked:
                result[question.pk] = AnswerInput(selected=[])
                continue
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Question.Kind.FREE_TEXT:
                result[question.pk] = AnswerInput(selected=[], text=value or "")
                continue
            selected = value if isinstance(value, list) else ([value] if value else [])
            other = self.cleaned_data.get(f"q{question.pk}_other", "") if OTHER in selected else ""
            result[question.pk] = AnswerInput(selected=selected, text=other)
        return result


class AnnotateForm(forms.Form):
    """An analyst's tags and note on one answer."""

    tags = forms.ModelMultipleChoiceField(
        queryset=QuestionTag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, question: Question, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        tags = self.fields["tags"]
        assert isinstance(tags, forms.ModelMultipleChoiceField)
        tags.queryset = question.tags.all()


class TagForm(forms.Form):
    name = forms.CharField(label=_("New tag"), max_length=80)
