"""Reads for consultation pages and the analysts' views, each in a fixed number of queries."""

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.permissions import staff_can
from consultations import routing, services
from consultations.duplicates import Group, near_duplicate_groups
from consultations.models import Answer, Attachment, Consultation, Question, Response, Section

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def consultation_for_page(*, slug: str, user: User | AnonymousUser) -> Consultation:
    """Drafts exist only for staff who may edit them; anyone else gets a 404."""
    queryset = Consultation.objects.all()
    if not staff_can(user, "consultations.view_consultation"):
        queryset = queryset.published()
    return get_object_or_404(
        queryset.select_related("final_report").prefetch_related("topics", "analyses", "reports", "webinars"),
        slug=slug,
    )


def consultation_sections(consultation: Consultation) -> list[Section]:
    return routing.questionnaire(consultation.pk)


def published_responses_queryset(*, consultation: Consultation) -> QuerySet[Response]:
    """Responses with at least one published answer, each carrying only those answers."""
    answers = (
        Answer.objects.published().select_related("question").order_by("question__section__order", "question__order")
    )
    return (
        consultation.responses.submitted()
        .filter(
            answers__publication__in=[Answer.Publication.APPROVED, Answer.Publication.REDACTED],
            consent__in=[Response.Consent.NAMED, Response.Consent.ANONYMOUS],
        )
        .distinct()
        .prefetch_related(Prefetch("answers", queryset=answers, to_attr="published_answers"))
        .order_by("submitted_at", "pk")
    )


def published_responses(*, consultation: Consultation, page_number: int | str | None) -> Page[Response]:
    return Paginator(published_responses_queryset(consultation=consultation), 20).get_page(page_number)


def response_answers(response: Response) -> list[tuple[Question, Answer | None]]:
    """The questions this response was asked, with its answers, each question knowing its page and the
    files attached to its answer (``uploads``).

    Routing decides what was asked: a page or question whose condition the response does not meet
    is left out, so check-your-answers and the receipt show only what was asked.
    """
    answers = {answer.question_id: answer for answer in response.answers.all()}
    uploads = response_uploads(response)
    sections = routing.questionnaire(response.consultation_id)
    asked = routing.plan(
        sections,
        respondent_type=response.respondent_type,
        answers={pk: answer.selected for pk, answer in answers.items()},
    )
    pages = {section.pk: number for number, section in enumerate(sections, start=2)}
    result = []
    for section in asked.sections:
        for question in asked.questions[section.pk]:
            question.page = pages[section.pk]
            question.section = section
            question.uploads = uploads.get(question.pk, [])
            result.append((question, answers.get(question.pk)))
    return result


def response_uploads(response: Response, questions: list[Question] | None = None) -> dict[int, list[Attachment]]:
    """The response's files by question, oldest first; one query."""
    attachments = Attachment.objects.filter(response=response)
    if questions is not None:
        attachments = attachments.filter(question__in=questions)
    grouped: dict[int, list[Attachment]] = {}
    for attachment in attachments.order_by("uploaded_at", "pk"):
        grouped.setdefault(attachment.question_id, []).append(attachment)
    return grouped


# --- Analysis ------------------------------------------------------------------------


class AnalysisOverview(TypedDict):
    total: int
    analysed: int
    progress: int
    by_type: list[tuple["StrOrPromise", int]]
    drafts: int
    withdrawn: int
    awaiting_moderation: int


def analysis_overview(consultation: Consultation) -> AnalysisOverview:
    responses = consultation.responses.submitted()
    totals = responses.aggregate(total=Count("pk"), analysed=Count("pk", filter=Q(analysed=True)))
    by_type = dict(
        responses.values_list("respondent_type")
        .annotate(n=Count("pk"))
        .order_by("respondent_type")
        .values_list("respondent_type", "n")
    )
    total = totals["total"]
    return {
        "total": total,
        "analysed": totals["analysed"],
        "progress": round(100 * totals["analysed"] / total) if total else 0,
        "by_type": [(label, by_type.get(value, 0)) for value, label in Response.RespondentType.choices],
        "drafts": consultation.responses.drafts().count(),
        "withdrawn": consultation.responses.filter(status=Response.Status.WITHDRAWN).count(),
        "awaiting_moderation": Answer.objects.awaiting_moderation().filter(response__consultation=consultation).count(),
    }


def choice_counts(question: Question) -> list[tuple[str, int, int]]:
    """(option label, all respondents, organisations) for each option of a choice question.

    The database groups identical selections, so Python only adds up the few distinct ones.
    """
    counts: Counter[str] = Counter()
    organisations: Counter[str] = Counter()
    rows = (
        Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
        .values("selected", "response__respondent_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        for value in set(row["selected"]):
            counts[value] += row["n"]
            if row["response__respondent_type"] == Response.RespondentType.ORGANISATION:
                organisations[value] += row["n"]
    return [(label, counts[value], organisations[value]) for value, label in question.option_choices()]


def question_answers(
    *, question: Question, page_number: int | str | None, tag_id: int | None = None, group: str = ""
) -> Page[Answer]:
    answers = (
        Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
        .select_related("response")
        .prefetch_related("tags")
        .order_by("response__submitted_at", "pk")
    )
    if tag_id:
        answers = answers.filter(tags__pk=tag_id)
    if group:
        answers = answers.filter(fingerprint__in=group.split(","))
    return Paginator(answers, 25).get_page(page_number)


def question_files(*, question: Question, responses: list[int]) -> dict[int, list[Attachment]]:
    """The files attached to a question by the given sent responses, by response id; one query."""
    grouped: dict[int, list[Attachment]] = {}
    attachments = Attachment.objects.filter(question=question, response_id__in=responses).order_by("uploaded_at", "pk")
    for attachment in attachments:
        grouped.setdefault(attachment.response_id, []).append(attachment)
    return grouped


def question_file_only_answers(question: Question) -> list[tuple[Response, list[Attachment]]]:
    """Sent responses that answered the question with files and no words; one query."""
    attachments = (
        Attachment.objects.filter(question=question, response__status=Response.Status.SUBMITTED)
        .exclude(response__answers__question=question)
        .select_related("response")
        .order_by("response__submitted_at", "response_id", "uploaded_at", "pk")
    )
    grouped: dict[int, tuple[Response, list[Attachment]]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.response_id, (attachment.response, []))[1].append(attachment)
    return list(grouped.values())


# Bump when duplicates.py changes how texts are grouped, so no page shows groups made the old way.
GROUPS_CACHE_VERSION = 1
GROUPS_CACHE_SECONDS = 7 * 24 * 60 * 60


def _answers_to_group(question: Question) -> QuerySet[Answer]:
    return Answer.objects.filter(question=question, response__status=Response.Status.SUBMITTED).exclude(fingerprint="")


def _groups_cache_key(question: Question, answers: QuerySet[Answer]) -> str | None:
    """A key that changes whenever the set of submitted answers changes; None when there are none.

    A submitted answer's text never changes (only drafts are editable), so the set can
    only grow by a submission, which raises the count, the id total and the latest
    submission time, or shrink by a withdrawal, which lowers the count and the id total.
    """
    state = answers.aggregate(count=Count("pk"), ids=Sum("pk"), latest=Max("response__submitted_at"))
    if not state["count"]:
        return None
    return _groups_key(question.pk, state["count"], state["ids"], state["latest"])


def _groups_key(question_id: int, count: int, ids: int, latest: datetime | None) -> str:
    moment = latest.isoformat() if latest else ""
    return f"consultations:groups:v{GROUPS_CACHE_VERSION}:{question_id}:{count}:{ids}:{moment}"


def _compute_duplicate_groups(answers: QuerySet[Answer]) -> list[Group]:
    counts: Counter[str] = Counter()
    samples: dict[str, str] = {}
    for key, text in answers.values_list("fingerprint", "text").iterator(chunk_size=2000):
        counts[key] += 1
        samples.setdefault(key, text)
    return near_duplicate_groups([(key, samples[key], n) for key, n in counts.items()])


def duplicate_groups(question: Question) -> list[Group]:
    """Near-identical texts among a question's answers, largest campaign first.

    Reading every text and comparing signatures is the slow part of the question page,
    so the groups are cached under a key that one aggregate query derives from the answers.
    """
    answers = _answers_to_group(question)
    key = _groups_cache_key(question, answers)
    if key is None:
        return []
    groups: list[Group] | None = cache.get(key)
    if groups is None:
        groups = _compute_duplicate_groups(answers)
        cache.set(key, groups, GROUPS_CACHE_SECONDS)
    return groups


def consultation_duplicate_groups(consultation: Consultation) -> dict[int, list[Group]]:
    """``duplicate_groups`` for every free-text question of a consultation, sharing its cache entries.

    One grouped query gives every question's key and one cache read fetches them all, so a page
    showing them costs the same whatever the number of questions; a question whose groups are not
    cached yet costs its own reading once.
    """
    states = (
        Answer.objects.filter(response__consultation=consultation, response__status=Response.Status.SUBMITTED)
        .exclude(fingerprint="")
        .values("question_id")
        .annotate(count=Count("pk"), ids=Sum("pk"), latest=Max("response__submitted_at"))
        .order_by("question_id")
    )
    keys = {
        row["question_id"]: _groups_key(row["question_id"], row["count"], row["ids"], row["latest"]) for row in states
    }
    cached = cache.get_many(list(keys.values()))
    groups: dict[int, list[Group]] = {}
    for question_id, key in keys.items():
        found: list[Group] | None = cached.get(key)
        if found is None:
            answers = Answer.objects.filter(question_id=question_id, response__status=Response.Status.SUBMITTED)
            found = _compute_duplicate_groups(answers.exclude(fingerprint=""))
            cache.set(key, found, GROUPS_CACHE_SECONDS)
        groups[question_id] = found
    return groups


# --- A person's own responses ----------------------------------------------------------


def response_address_verified_for(*, response: Response, user: User | AnonymousUser) -> bool:
    """The response's address is one of the account's verified addresses: allauth has proved it."""
    if not user.is_authenticated or not response.email:
        return False
    return bool(EmailAddress.objects.filter(user=user, verified=True, email__iexact=response.email).exists())


def responses_of_person(user: User) -> list[Response]:
    """Responses linked to the account or given under one of its verified email addresses, newest first.

    One query; each response carries ``can_continue`` (a draft that still accepts changes).
    """
    verified = EmailAddress.objects.filter(user=user, verified=True).annotate(folded=Lower("email")).values("folded")
    responses: list[Response] = list(
        Response.objects.annotate(email_folded=Lower("email"))
        .filter(Q(user=user) | Q(email_folded__in=Subquery(verified)))
        .select_related("consultation", "late_link__consultation")
        .order_by("-started_at", "-pk")
    )
    for response in responses:
        response.can_continue = services.response_accepts_changes(response)
    return responses


def consultations_on_topics(
    *, topic_ids: list[int], open_only: bool = False, limit: int | None = None
) -> list[Consultation]:
    """Published consultations filed under any of the topics, the latest to open first, in one query
    (two for a listing, which shows each one's topics)."""
    if not topic_ids:
        return []
    queryset = Consultation.objects.open() if open_only else Consultation.objects.published()
    matching = queryset.filter(topics__in=topic_ids).distinct().order_by("-opens_at", "-pk")
    if not open_only:
        matching = matching.prefetch_related("topics")
    return list(matching[:limit] if limit else matching)


# While open, the page counts down ("Closes in 3 hours"): kept no longer than a minute then.
OPEN_PAGE_SECONDS = 60


def seconds_until_page_changes(consultation: Consultation) -> float:
    """How long the public page stays true with no edit: until it opens, or a minute while it counts down."""
    now = timezone.now()
    if now < consultation.opens_at:
        return (consultation.opens_at - now).total_seconds()
    if now < consultation.closes_at:
        return min(OPEN_PAGE_SECONDS, (consultation.closes_at - now).total_seconds())
    return float("inf")
