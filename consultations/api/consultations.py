"""Consultations through the API: list and detail with their questions, submitting a response
(with the files of a draft, ``attachments``), the published responses and the outcome.

A response sent here is checked by the same forms as the paged questionnaire and saved by the
same services, so it meets every rule a response sent from the site meets.
"""

import django_filters
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from consultations import routing, selectors, services
from consultations.forms import AboutYouForm, DeclarationForm, SectionForm
from consultations.models import Answer, Attachment, Conditional, Consultation, Question, Response, Section
from consultations.summary import response_summary, summary_is_public
from core.api.common import CountingThrottle, DeliverableEmailField, SiteUrlField, StrictSerializer, UserThrottle
from core.api.views import PublicReadViewSet
from topics.api import TopicSummarySerializer, topic_filter

# --- Reading ---------------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to send in `selected`.")
    # SerializerMetaclass moves declared fields off the class, so this never shadows Field.label at runtime.
    label = serializers.CharField()  # type: ignore[assignment]


class RoutingConditionSerializer(serializers.Serializer):
    depends_on = serializers.ChoiceField(
        choices=[("respondent_type", "respondent_type"), ("question", "question")],
        help_text="`respondent_type`, or `question`: an earlier question's answer.",
    )
    question = serializers.IntegerField(allow_null=True, help_text="The earlier question's `id`, for `question`.")
    values = serializers.ListField(
        child=serializers.CharField(), help_text="Asked when the answer (or respondent type) is one of these values."
    )


def _condition(item: Conditional) -> dict | None:
    rule = routing.rule_of(item)
    if rule is None:
        return None
    source = rule.source if rule.source == routing.RESPONDENT_TYPE else "question"
    question = None if rule.source == routing.RESPONDENT_TYPE else rule.source
    return {"depends_on": source, "question": question, "values": sorted(rule.values)}


class QuestionSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField(help_text="For choice questions; `other` asks for `text` too.")
    accepts_files = serializers.BooleanField(
        read_only=True,
        help_text="Files may be attached to the answer: to a draft (`POST /api/v1/responses/{id}/attachments/`) "
        "sent with `draft`. A file alone answers a required free-text question.",
    )
    asked_when = serializers.SerializerMethodField(
        help_text="Routing: `null` when always asked; otherwise asked only when the condition holds. "
        "Do not answer a question that is not asked."
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "kind",
            "text",
            "help_text",
            "required",
            "max_length",
            "allow_other",
            "accepts_files",
            "options",
            "asked_when",
        ]

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, question: Question) -> list[dict]:
        return [{"value": value, "label": label} for value, label in question.option_choices()]

    @extend_schema_field(RoutingConditionSerializer(allow_null=True))
    def get_asked_when(self, question: Question) -> dict | None:
        return _condition(question)


class SectionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    asked_when = serializers.SerializerMethodField(
        help_text="Routing: `null` when always asked; otherwise the whole section is asked only when it holds."
    )

    class Meta:
        model = Section
        fields = ["title", "intro", "asked_when", "questions"]

    @extend_schema_field(RoutingConditionSerializer(allow_null=True))
    def get_asked_when(self, section: Section) -> dict | None:
        return _condition(section)


class OutcomeSerializer(serializers.ModelSerializer):
    final_report_title = serializers.CharField(source="final_report.title", allow_null=True, default=None)
    final_report_url = serializers.CharField(source="final_report.link", allow_null=True, default=None)

    class Meta:
        model = Consultation
        fields = [
            "concluded_at",
            "you_said",
            "you_said_html",
            "we_did",
            "we_did_html",
            "final_report_title",
            "final_report_url",
        ]


class ConsultationSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:consultation-detail", lookup_field="slug")
    html_url = SiteUrlField()
    status = serializers.ChoiceField(choices=Consultation.Status.choices, read_only=True)
    topics = TopicSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = ["title", "slug", "summary", "status", "opens_at", "closes_at", "topics", "url", "html_url"]


class ConsultationSerializer(ConsultationSummarySerializer):
    sections = SectionSerializer(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta(ConsultationSummarySerializer.Meta):
        fields = [
            *ConsultationSummarySerializer.Meta.fields,
            "body_html",
            "contact_email",
            "alternative_formats",
            "sections",
            "outcome",
        ]

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, consultation: Consultation) -> dict | None:
        return OutcomeSerializer(consultation).data if consultation.concluded_at else None


class PublishedAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    question_text = serializers.CharField(source="question.text")
    answer = serializers.SerializerMethodField()
    redacted = serializers.SerializerMethodField()

    def get_answer(self, answer: Answer) -> str:
        return answer.published_text if answer.publication == Answer.Publication.REDACTED else answer.display()

    def get_redacted(self, answer: Answer) -> bool:
        return answer.publication == Answer.Publication.REDACTED


class PublishedResponseSerializer(serializers.Serializer):
    """A response as published: its public reference, never the private one or an email address."""

    public_reference = serializers.CharField()
    name = serializers.CharField(source="display_name")
    respondent_type = serializers.ChoiceField(choices=Response.RespondentType.choices)
    answers = PublishedAnswerSerializer(source="published_answers", many=True)


class SummaryFigureSerializer(serializers.Serializer):
    value = serializers.CharField()
    # SerializerMetaclass moves declared fields off the class, so this never shadows Field.label at runtime.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    percentage = serializers.FloatField(help_text="Of the responses counted (one decimal place).")
    campaign = serializers.IntegerField(help_text="How many of `count` are campaign responses.")


class SummaryQuestionSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    question_text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    answered = serializers.IntegerField(help_text="Responses counted that answered the question.")
    campaign = serializers.IntegerField(help_text="How many of `answered` are campaign responses.")
    multiple = serializers.BooleanField(help_text="Several answers allowed: percentages may add up to more than 100.")
    options = SummaryFigureSerializer(many=True)


class SummaryQuoteSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    question_text = serializers.CharField(source="question.text")
    text = serializers.CharField(help_text="As published after moderation.")
    name = serializers.CharField(help_text="The name, or “Anonymous”, as the respondent agreed.")
    respondent_type = serializers.CharField()
    public_reference = serializers.CharField()
    redacted = serializers.BooleanField()
    campaign_size = serializers.IntegerField(help_text="0, or how many respondents sent this campaign text.")


class ResponseSummarySerializer(serializers.Serializer):
    """The published summary of responses: only responses whose authors agreed to publication."""

    total = serializers.IntegerField(help_text="Responses counted: those whose authors agreed to publication.")
    unpublished = serializers.IntegerField(help_text="Responses not counted: their authors refused publication.")
    campaign = serializers.IntegerField(help_text="How many of `total` are campaign responses, each counted once.")
    campaigns = serializers.IntegerField(help_text="Distinct campaign texts.")
    by_type = SummaryFigureSerializer(many=True)
    questions = SummaryQuestionSerializer(many=True, help_text="Each closed (choice) question, in order.")
    quotes = SummaryQuoteSerializer(many=True, help_text="Answers chosen by analysts, from consenting respondents.")


# --- Writing ---------------------------------------------------------------------------------


class AnswerInputSerializer(StrictSerializer):
    question = serializers.IntegerField(min_value=1, help_text="The question's `id`.")
    selected = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50,
        help_text="Option values for a choice question.",
    )  # fmt: skip
    text = serializers.CharField(
        required=False, default="", allow_blank=True, trim_whitespace=False, max_length=100_000,
        help_text="The answer to a free-text question, or what “other” means.",
    )  # fmt: skip


class ResponseInputSerializer(StrictSerializer):
    email = DeliverableEmailField(help_text="For the receipt; never published.")
    name = serializers.CharField(required=False, default="", allow_blank=True, max_length=120)
    respondent_type = serializers.ChoiceField(choices=Response.RespondentType.choices)
    organisation = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    organisation_role = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    tobacco_links = serializers.ChoiceField(
        choices=[("yes", "yes"), ("no", "no")],
        help_text="Links to, or funding from, the tobacco industry (WHO FCTC Article 5.3).",
    )
    tobacco_links_details = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    other_interests = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    consent = serializers.ChoiceField(choices=Response.Consent.choices, help_text="Whether and how to publish.")
    accept_policy = serializers.BooleanField(
        required=False, default=False, help_text="Required when publishing: the comment policy applies."
    )
    wants_outcome = serializers.BooleanField(required=False, default=True, help_text="Email me the outcome.")
    # ListSerializer's max_length (DRF 3.15) is missing from the stubs' signature.
    answers = AnswerInputSerializer(many=True, max_length=500)  # type: ignore[call-arg]
    draft = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1,
        help_text="Signed in: the `id` of your draft of this consultation (`POST /api/v1/responses/`); the "
        "files attached to it go with the response.",
    )  # fmt: skip


class SubmittedResponseSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="Private: quote it to the team; it is in the receipt email too.")
    public_reference = serializers.CharField(help_text="Shown if the response is published.")
    submitted_at = serializers.DateTimeField()
    status = serializers.CharField()


def _form_errors(form, prefix: str = "") -> dict[str, list[str]]:
    return {
        (f"{prefix}{name}" if name != "__all__" else "non_field_errors"): [str(error) for error in errors]
        for name, errors in form.errors.items()
    }


def _section_data(questions: list[Question], answers: dict[int, dict]) -> dict:
    data = {}
    for question in questions:
        answer = answers.get(question.pk)
        if answer is None:
            continue
        if question.kind == Question.Kind.FREE_TEXT:
            data[f"q{question.pk}"] = answer["text"]
        elif question.kind == Question.Kind.MULTIPLE:
            data[f"q{question.pk}"] = answer["selected"]
        else:
            data[f"q{question.pk}"] = answer["selected"][0] if answer["selected"] else ""
        if question.allow_other:
            data[f"q{question.pk}_other"] = answer["text"]
    return data


def response_submit_from_api(*, consultation: Consultation, user, data: dict) -> Response:
    """Check everything with the questionnaire's forms, then start, fill and submit in one transaction."""
    if not consultation.is_open:
        raise exceptions.PermissionDenied(_("This consultation is not open for responses."))
    errors: dict[str, list[str]] = {}
    held = _held_draft(consultation=consultation, user=user, draft_id=data["draft"])
    draft = Response(consultation=consultation)
    about = AboutYouForm(data, instance=draft)
    declaration = DeclarationForm({**data, "accept_policy": data["accept_policy"] or ""}, instance=draft)
    for form in (about, declaration):
        if not form.is_valid():
            errors.update(_form_errors(form))
    answers = {answer["question"]: answer for answer in data["answers"]}
    sections = selectors.consultation_sections(consultation)
    known = {question.pk for section in sections for question in section.questions.all()}
    unknown = sorted(set(answers) - known)
    if unknown or len(answers) != len(data["answers"]):
        errors["answers"] = [_("Answer each question of this consultation once; unknown: %(ids)s.") % {"ids": unknown}]
    section_forms, not_asked = _routed_section_forms(sections, answers, data["respondent_type"], _uploads(held))
    for _number, section_form in section_forms:
        if not section_form.is_valid():
            errors.update(_form_errors(section_form, prefix="answers."))
    if not_asked:
        errors.setdefault("answers", []).append(
            _("These questions are not asked of this response, given its other answers: %(ids)s.")
            % {"ids": sorted(not_asked)}
        )
    if errors:
        raise exceptions.ValidationError(errors)
    with transaction.atomic():
        response = held or services.response_start(consultation=consultation, user=user)
        last = len(sections) + 2
        services.response_save_details(response=response, details=about.details(), page=1)
        for number, section_form in section_forms:
            services.response_save_answers(response=response, answers=section_form.answers(), page=number)
        services.response_save_details(response=response, details=declaration.details(), page=last)
        return services.response_submit(response=response)


def _held_draft(*, consultation: Consultation, user, draft_id: int | None) -> Response | None:
    """The signed-in client's draft of this consultation named by ``draft``, whose files go with the answers."""
    if draft_id is None:
        return None
    drafts = Response.objects.filter(consultation=consultation, status=Response.Status.DRAFT)
    draft = (
        drafts.filter(pk=draft_id, user_id=user.pk).select_related("consultation", "late_link").first()
        if user.is_authenticated
        else None
    )
    if draft is None:
        raise exceptions.ValidationError({"draft": [_("You have no draft of this consultation with this id.")]})
    return draft


def _uploads(draft: Response | None) -> dict[int, list[Attachment]]:
    uploads: dict[int, list[Attachment]] = {}
    for attachment in draft.attachments.all() if draft else []:
        uploads.setdefault(attachment.question_id, []).append(attachment)
    return uploads


def _routed_section_forms(
    sections: list[Section], answers: dict[int, dict], respondent_type: str, uploads: dict[int, list[Attachment]]
) -> tuple[list[tuple[int, SectionForm]], set[int]]:
    """The forms of the sections routing asks, in order, and the answered questions it does not ask.

    Each section is read with what the sections before it said, as the pages are.
    """
    facts = routing.starting_facts(respondent_type)
    forms: list[tuple[int, SectionForm]] = []
    asked: set[int] = set()
    for number, section in enumerate(sections, start=2):
        rule = routing.rule_of(section)
        if rule is not None and not rule.holds(facts):
            continue
        questions = list(section.questions.all())
        form = SectionForm(_section_data(questions, answers), section=section, answers={}, uploads=uploads, facts=facts)
        forms.append((number, form))
        if not form.is_valid():
            # Its own errors say what is wrong; no second message about what it asks.
            asked |= {question.pk for question in form.questions}
            continue
        on_page = form.applicable()
        asked |= on_page
        facts = {**facts}
        for question in questions:
            if question.pk in on_page and question.pk in answers:
                facts[question.pk] = routing.answer_fact(question, answers[question.pk]["selected"])
    known = {question.pk for section in sections for question in section.questions.all()}
    not_asked = {
        pk
        for pk, answer in answers.items()
        if pk in known and pk not in asked and (answer["selected"] or answer["text"].strip())
    }
    return forms, not_asked


class ResponseThrottle(CountingThrottle):
    """Submissions from one address, signed in or not, beyond the general limit: a response takes minutes."""

    scope = "consultation_response"
    rate = "20/hour"

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Views -----------------------------------------------------------------------------------


class ConsultationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(value, value) for value in ("upcoming", "open", "closed", "concluded")],
        method="filter_status",
        help_text="`upcoming`, `open`, `closed` (being analysed) or `concluded` (outcome published).",
    )
    topic = topic_filter()

    class Meta:
        model = Consultation
        fields = ["status", "topic"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return getattr(queryset, value)()


@extend_schema(tags=["consultations"])
@extend_schema_view(
    list=extend_schema(summary="List consultations", description="Closing soonest first; filter by status or topic."),
    retrieve=extend_schema(
        summary="Read a consultation",
        description="With its questions in order, section by section, and the outcome once concluded.",
    ),
)
class ConsultationViewSet(PublicReadViewSet):
    filterset_class = ConsultationFilter

    def get_queryset(self) -> QuerySet:
        sections = Section.objects.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        )
        return (
            Consultation.objects.published()
            .select_related("final_report")
            .prefetch_related("topics", Prefetch("sections", queryset=sections))
            .order_by("closes_at", "pk")
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return ConsultationSummarySerializer
        if self.action == "submit":
            return ResponseInputSerializer
        if self.action == "responses":
            return PublishedResponseSerializer
        if self.action == "summary":
            return ResponseSummarySerializer
        return ConsultationSerializer

    @extend_schema(
        summary="Read the published responses",
        description="Answers whose respondents agreed to publication, after moderation; a page at a time.",
        responses=PublishedResponseSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="responses")
    def responses(self, request: Request, slug: str) -> ApiResponse:
        consultation = self.get_object()
        queryset = selectors.published_responses_queryset(consultation=consultation)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PublishedResponseSerializer(page, many=True).data)

    @extend_schema(
        summary="Respond to a consultation",
        description=(
            "Send every answer at once, with the same rules as the questionnaire on the site: required "
            "questions, length limits, options, the tobacco-industry declaration and consent. A receipt with "
            "the private reference is emailed. Only while the consultation is open. To attach files, start a "
            "draft (`POST /api/v1/responses/`, signed in), attach them to it and name it in `draft`: a file "
            "then answers a required free-text question that accepts files, as on the site."
        ),
        request=ResponseInputSerializer,
        responses={201: SubmittedResponseSerializer},
    )
    @responses.mapping.post
    def submit(self, request: Request, slug: str) -> ApiResponse:
        consultation = self.get_object()
        serializer = ResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = response_submit_from_api(
            consultation=consultation, user=request.user, data=serializer.validated_data
        )
        return ApiResponse(SubmittedResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Read the outcome", description="“We asked, you said, we did”: 404 until published.",
                   responses=OutcomeSerializer)  # fmt: skip
    @action(detail=True, methods=["get"])
    def outcome(self, request: Request, slug: str) -> ApiResponse:
        consultation = self.get_object()
        if not consultation.concluded_at:
            raise exceptions.NotFound(_("The outcome of this consultation has not been published yet."))
        return ApiResponse(OutcomeSerializer(consultation).data)

    @extend_schema(
        summary="Read the summary of responses",
        description=(
            "Published with the outcome when the editors choose: responses by type, the counts for each closed "
            "question and quotes chosen by analysts, only from responses whose authors agreed to publication. "
            "404 until published."
        ),
        responses=ResponseSummarySerializer,
    )
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, slug: str) -> ApiResponse:
        consultation = self.get_object()
        if not summary_is_public(consultation):
            raise exceptions.NotFound(_("No summary of the responses to this consultation has been published."))
        return ApiResponse(ResponseSummarySerializer(response_summary(consultation)).data)

    def get_permissions(self):
        return [AllowAny()]

    def get_throttles(self):
        if self.action == "submit":
            return [ResponseThrottle(), UserThrottle()]
        return super().get_throttles()

    def get_object(self) -> Consultation:
        consultation = super().get_object()
        # The status changes with the clock, not with the row: only the ETag may say "not modified".
        self.last_modified = None
        return consultation
