"""The published summary of responses: what a concluded consultation shows of what people said.

Built only from responses whose authors agreed to publication (named or anonymous): their number by
respondent type, counts and percentages for each closed question, and the answers analysts chose to
quote, as moderated. A response whose author refused publication adds nothing here, not even to a
count; the page says how many there were. Campaign responses (near-identical free text, grouped as
the analysts' pages group them) are counted one by one, as each is a person's response, and every
figure says how many of its responses came from campaigns.

A fixed number of queries whatever the number of responses or questions (with the campaign groups
cached, as the analysts' pages leave them): the questions, the campaign groups' state, the counts by
type, the counts by option, the quotes and the count of unpublished responses.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, Q, QuerySet, Value

from consultations import selectors
from consultations.duplicates import Group, words
from consultations.models import OTHER, Answer, Consultation, Question, Response

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A campaign: at least this many answers to one question sharing a text (allowing for small changes)
# of at least this many words. Two people answering "No" alike are not a campaign.
CAMPAIGN_MIN_ANSWERS = 3
CAMPAIGN_MIN_WORDS = 8

PUBLISHING = (Response.Consent.NAMED, Response.Consent.ANONYMOUS)
CLOSED_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE, Question.Kind.YES_NO)


def percentage(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Figure:
    value: str
    label: str
    count: int
    percentage: float
    campaign: int


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    answered: int
    campaign: int
    multiple: bool
    options: list[Figure]


@dataclass(frozen=True)
class Quote:
    question: Question
    text: str
    name: str
    respondent_type: "StrOrPromise"
    public_reference: str
    redacted: bool
    campaign_size: int


@dataclass
class ResponseSummary:
    total: int = 0
    campaign: int = 0
    campaigns: int = 0
    unpublished: int = 0
    by_type: list[Figure] = field(default_factory=list)
    questions: list[QuestionFigures] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def summary_is_public(consultation: Consultation) -> bool:
    return consultation.summary_published and consultation.status == Consultation.Status.CONCLUDED


def _campaign_groups(consultation: Consultation) -> dict[int, list[Group]]:
    return {
        question_id: [
            group
            for group in groups
            if group.count >= CAMPAIGN_MIN_ANSWERS and len(words(group.text)) >= CAMPAIGN_MIN_WORDS
        ]
        for question_id, groups in selectors.consultation_duplicate_groups(consultation).items()
    }


def _campaign_answers(consultation: Consultation, groups: dict[int, list[Group]]) -> Q | None:
    """The free-text answers that belong to a campaign, as a filter on Answer."""
    condition = None
    for question_id, found in groups.items():
        fingerprints = [key for group in found for key in group.fingerprints]
        if fingerprints:
            part = Q(question_id=question_id, fingerprint__in=fingerprints)
            condition = part if condition is None else condition | part
    return condition


def _published_responses(consultation: Consultation) -> QuerySet[Response]:
    return consultation.responses.submitted().filter(consent__in=PUBLISHING)


def response_summary(consultation: Consultation) -> ResponseSummary:
    groups = _campaign_groups(consultation)
    campaign_filter = _campaign_answers(consultation, groups)
    campaign_ids = (
        Answer.objects.filter(campaign_filter, response__consultation=consultation).values("response_id")
        if campaign_filter is not None
        else None
    )
    responses = _published_responses(consultation)
    summary = ResponseSummary()
    _by_type(summary, responses, campaign_ids)
    summary.campaigns = sum(len(found) for found in groups.values())
    summary.unpublished = consultation.responses.submitted().exclude(consent__in=PUBLISHING).count()
    _closed_questions(summary, consultation, campaign_ids)
    _quotes(summary, consultation, groups)
    return summary


def _campaign_count(lookup: str, campaign_ids: "QuerySet[Answer, Any] | None") -> Count | Value:
    if campaign_ids is None:
        return Value(0, output_field=IntegerField())
    return Count("pk", filter=Q(**{lookup: campaign_ids}))


def _by_type(
    summary: ResponseSummary, responses: QuerySet[Response], campaign_ids: "QuerySet[Answer, Any] | None"
) -> None:
    rows = (
        responses.values("respondent_type")
        .order_by("respondent_type")
        .annotate(n=Count("pk"), campaign=_campaign_count("pk__in", campaign_ids))
    )
    found: dict[str, tuple[int, int]] = {row["respondent_type"]: (row["n"], row["campaign"]) for row in rows}
    summary.total = sum(n for n, _campaign in found.values())
    summary.campaign = sum(c for _n, c in found.values())
    summary.by_type = [
        Figure(value, str(label), n, percentage(n, summary.total), c)
        for value, label in Response.RespondentType.choices
        for n, c in [found.get(value, (0, 0))]
    ]


def _closed_questions(
    summary: ResponseSummary, consultation: Consultation, campaign_ids: "QuerySet[Answer, Any] | None"
) -> None:
    questions = list(
        Question.objects.filter(consultation=consultation, kind__in=CLOSED_KINDS)
        .select_related("section")
        .order_by("section__order", "section_id", "order", "pk")
    )
    rows = (
        Answer.objects.filter(
            question__in=questions,
            response__status=Response.Status.SUBMITTED,
            response__consent__in=PUBLISHING,
        )
        .exclude(publication=Answer.Publication.REJECTED)
        .values("question_id", "selected")
        .order_by()
        .annotate(n=Count("pk"), campaign=_campaign_count("response_id__in", campaign_ids))
    )
    counts: dict[int, Counter[str]] = {question.pk: Counter() for question in questions}
    campaign: dict[int, Counter[str]] = {question.pk: Counter() for question in questions}
    for row in rows:
        # Values repeated within one answer (never sent by the forms) count once.
        for value in set(row["selected"]) | ({"__answered__"} if row["selected"] else set()):
            counts[row["question_id"]][value] += row["n"]
            campaign[row["question_id"]][value] += row["campaign"]
    for question in questions:
        answered = counts[question.pk]["__answered__"]
        options = [
            Figure(
                value,
                label,
                counts[question.pk][value],
                percentage(counts[question.pk][value], answered),
                campaign[question.pk][value],
            )
            for value, label in question.option_choices()
        ]
        summary.questions.append(
            QuestionFigures(
                question=question,
                answered=answered,
                campaign=campaign[question.pk]["__answered__"],
                multiple=question.kind == Question.Kind.MULTIPLE,
                options=options,
            )
        )


def _quotes(summary: ResponseSummary, consultation: Consultation, groups: dict[int, list[Group]]) -> None:
    sizes = {
        (question_id, key): group.count
        for question_id, found in groups.items()
        for group in found
        for key in group.fingerprints
    }
    chosen = (
        Answer.objects.quotable()
        .filter(summary_quote=True, response__consultation=consultation)
        .select_related("response", "question__section")
        .order_by("question__section__order", "question__order", "question_id", "response__submitted_at", "pk")
    )
    for answer in chosen:
        redacted = answer.publication == Answer.Publication.REDACTED
        text = answer.published_text if redacted else answer.text
        if answer.question.is_choice and OTHER not in answer.selected:
            continue
        summary.quotes.append(
            Quote(
                question=answer.question,
                text=text,
                name=answer.response.display_name,
                respondent_type=answer.response.get_respondent_type_display(),
                public_reference=answer.response.public_reference,
                redacted=redacted,
                campaign_size=sizes.get((answer.question_id, answer.fingerprint), 0),
            )
        )
