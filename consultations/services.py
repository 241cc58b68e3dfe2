"""The writes that carry the consultation rules. Views, admin, API and tasks call these."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import staff_can
from consultations import emails, routing
from consultations.attachments import attachment_store, attachments_delete
from consultations.duplicates import fingerprint
from consultations.models import (
    Answer,
    Attachment,
    Consultation,
    LateResponseLink,
    Question,
    QuestionTag,
    Response,
    Section,
    new_token,
)
from core.page_cache import tags_bump
from moderation.models import BlockedTerm, PolicyClause
from moderation.services import moderation_event_record
from moderation.text import matched_terms, personal_data_kinds
from notifications.models import Broadcast
from notifications.services import announcement_fan_out
from notifications.services.jobs import job_enqueue


class ResponseClosed(Exception):
    """The consultation no longer accepts this response."""


@dataclass(frozen=True)
class AnswerInput:
    selected: list[str]
    text: str = ""


# --- Responding ------------------------------------------------------------------------


def response_start(
    *, consultation: Consultation, user: User | AnonymousUser | None = None, late_link: LateResponseLink | None = None
) -> Response:
    if late_link is not None:
        if late_link.consultation_id != consultation.pk or not late_link.is_valid:
            raise ResponseClosed(_("This late-response link has expired."))
    elif not consultation.is_open:
        raise ResponseClosed(_("This consultation is not open for responses."))
    email = late_link.email if late_link else (getattr(user, "email", "") or "")
    return Response.objects.create(
        consultation=consultation,
        user=user if user and user.is_authenticated else None,
        late_link=late_link,
        email=email,
    )


def response_accepts_changes(response: Response) -> bool:
    if response.status != Response.Status.DRAFT:
        return False
    if response.late_link is not None:
        return response.late_link.is_valid
    return response.consultation.is_open


def _require_open(response: Response) -> None:
    if response.status != Response.Status.DRAFT:
        raise ResponseClosed(_("This response has been sent, so it can no longer be changed."))
    if not response_accepts_changes(response):
        raise ResponseClosed(
            _("This consultation closed on %(date)s and no longer accepts responses.")
            % {"date": timezone.localtime(response.consultation.closes_at).strftime("%d %B %Y, %H:%M")}
        )


def response_save_details(*, response: Response, details: Mapping[str, object], page: int) -> Response:
    """Save "about you" or the declaration: plain fields on the response."""
    _require_open(response)
    if "email" in details:
        # The form has already put the new address on the instance; the stored one is what links went to.
        stored = Response.objects.filter(pk=response.pk).values_list("email", flat=True).first() or ""
        if stored and details["email"] != stored:
            # Links sent to the old address stop working, so whoever set that address cannot
            # read what the new address's owner writes.
            response.token = new_token()
    for name, value in details.items():
        setattr(response, name, value)
    # A follow-up that stopped applying is discarded, not kept out of sight.
    for name in routing.DETAIL_CONDITIONS:
        if not routing.detail_applies(name, vars(response)):
            setattr(response, name, "")
    response.pages_done = max(response.pages_done, page)
    with transaction.atomic():
        response.save()
        answers_discard_unasked(response=response)
    return response


@transaction.atomic
def response_save_answers(*, response: Response, answers: dict[int, AnswerInput], page: int) -> Response:
    """Save one page of answers; blank answers are removed rather than stored empty."""
    _require_open(response)
    existing = {answer.question_id: answer for answer in response.answers.filter(question_id__in=answers)}
    for question_id, value in answers.items():
        answer = existing.get(question_id)
        if not value.selected and not value.text.strip():
            if answer:
                answer.delete()
            continue
        answer = answer or Answer(response=response, question_id=question_id)
        answer.selected = list(value.selected)
        answer.text = value.text
        answer.fingerprint = fingerprint(value.text)
        answer.save()
    response.pages_done = max(response.pages_done, page)
    response.save(update_fields=["pages_done", "updated_at"])
    answers_discard_unasked(response=response)
    return response


def answers_discard_unasked(*, response: Response) -> int:
    """Delete the answers, and files, to questions that routing no longer asks this response.

    A changed answer can stop a later page or question from applying (an organisation becomes an
    individual); what was typed or attached there must not be sent, shown or exported as if asked.
    """
    asked = routing.response_plan(response).asked
    deleted, _by_model = response.answers.exclude(question_id__in=asked).delete()
    return deleted + attachments_delete(response.attachments.exclude(question_id__in=asked))


@transaction.atomic
def attachment_add(*, response: Response, question: Question, upload: "UploadedFile[bytes]") -> Attachment:
    """Attach a file to the draft's answer to ``question``, within the consultation's limits."""
    _require_open(response)
    # The row lock makes two uploads at once count each other against the limits.
    Response.objects.select_for_update().filter(pk=response.pk).first()
    return attachment_store(response=response, question=question, upload=upload)


@transaction.atomic
def attachment_remove(*, response: Response, key: str) -> Attachment | None:
    """Remove one of the draft's files; None when it holds no file by that key."""
    _require_open(response)
    attachment = response.attachments.filter(key=key).first()
    if attachment is not None:
        attachments_delete(Attachment.objects.filter(pk=attachment.pk))
    return attachment


def response_missing(response: Response) -> list[str]:
    """What still stops submission: the required questions and details left unanswered."""
    missing = []
    if not response.email:
        missing.append(_("Your email address"))
    if not response.respondent_type:
        missing.append(_("Whether you respond as an individual or for an organisation"))
    if routing.detail_applies("organisation", vars(response)) and not response.organisation.strip():
        missing.append(_("The name of the organisation you respond for"))
    if not response.tobacco_links:
        missing.append(_("Whether you have links to the tobacco industry"))
    elif routing.detail_applies("tobacco_links_details", vars(response)) and not response.tobacco_links_details.strip():
        missing.append(_("The details of your links to the tobacco industry"))
    if not response.consent:
        missing.append(_("Whether we may publish your response"))
    asked = routing.response_plan(response)
    answered = set(response.answers.values_list("question_id", flat=True))
    # A file alone answers a free-text question; a choice still has to be made.
    answered |= set(
        response.attachments.filter(question__kind=Question.Kind.FREE_TEXT).values_list("question_id", flat=True)
    )
    missing.extend(
        question.text
        for section in asked.sections
        for question in asked.questions[section.pk]
        if question.required and question.pk not in answered
    )
    return missing


def response_send_link(*, response: Response) -> None:
    """Email the save-and-return link; each request is its own email."""
    if not response.email:
        raise ValidationError(_("Give your email address first so that we can send you the link."))
    sequence = response.updated_at.timestamp()
    with transaction.atomic():
        emails.send_return_link(response=response, sequence=int(sequence))


def response_send_claim_link(*, response: Response, link: str, nonce: str) -> None:
    """Email the draft's address a link that opens the draft in the browser that asked (``nonce``)."""
    if response.status != Response.Status.DRAFT or not response.email:
        raise ValidationError(_("This response has no address to send a link to."))
    with transaction.atomic():
        emails.send_claim_link(response=response, link=link, nonce=nonce)


@transaction.atomic
def response_claim(*, response: Response, user: User | AnonymousUser | None) -> Response:
    """Give the draft to the browser that proved its address, and to no other.

    A new holder key drops it from every other browser, the one that started it included, and the
    account link goes to whoever proved it: someone who started a draft under another person's
    address, then got them to open its link, keeps no way to read what they write.
    """
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.status != Response.Status.DRAFT:
        raise ResponseClosed(_("This response has already been sent."))
    response.holder_key = new_token()
    response.user = user if user is not None and user.is_authenticated else None
    response.save(update_fields=["holder_key", "user", "updated_at"])
    return response


@transaction.atomic
def response_submit(*, response: Response) -> Response:
    response = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if response.status == Response.Status.SUBMITTED:
        return response
    _require_open(response)
    answers_discard_unasked(response=response)
    missing = response_missing(response)
    if missing:
        raise ValidationError(missing)
    response.status = Response.Status.SUBMITTED
    response.submitted_at = timezone.now()
    response.save(update_fields=["status", "submitted_at", "updated_at"])
    if response.consent != Response.Consent.PRIVATE:
        _queue_for_publication(response)
    emails.send_receipt(response=response)
    return response


@transaction.atomic
def response_withdraw(*, response: Response) -> Response:
    """Withdraw before closing: the answers and personal data go; a stub keeps the count honest."""
    response = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if response.status == Response.Status.WITHDRAWN:
        return response
    if not response.consultation.is_open:
        raise ResponseClosed(_("The consultation has closed, so the response can no longer be withdrawn."))
    response.answers.all().delete()
    attachments_delete(response.attachments.all())
    _strip_personal_data(response)
    response.status = Response.Status.WITHDRAWN
    response.withdrawn_at = timezone.now()
    response.save()
    return response


# --- Publication and moderation --------------------------------------------------------


def publication_concerns(text: str, blocked_terms: tuple[str, ...]) -> list[str]:
    """The comment pipeline's personal-data and blocked-term findings, for the moderator to weigh."""
    reasons = [f"personal_data_{kind}" for kind in personal_data_kinds(text)]
    found = matched_terms(text, blocked_terms)
    if found:
        reasons.append(f"suspect_term:{', '.join(found)}")
    return reasons


def _queue_for_publication(response: Response) -> None:
    blocked_terms = tuple(sorted(BlockedTerm.objects.values_list("folded", flat=True)))
    for answer in response.answers.all():
        before = answer.publication
        if answer.text.strip():
            answer.publication = Answer.Publication.PENDING
            answer.moderation_reasons = publication_concerns(answer.text, blocked_terms)
        else:
            # Chosen options carry no words of the respondent's own to check.
            answer.publication = Answer.Publication.APPROVED
            answer.moderation_reasons = []
        answer.save(update_fields=["publication", "moderation_reasons"])
        moderation_event_record(
            subject=answer,
            actor=None,
            action="submitted" if answer.publication == Answer.Publication.PENDING else "approve",
            from_status=before,
            to_status=answer.publication,
            reasons=answer.moderation_reasons,
        )


MODERATION_TARGETS = {
    "approve": Answer.Publication.APPROVED,
    "redact": Answer.Publication.REDACTED,
    "reject": Answer.Publication.REJECTED,
}


def answer_moderation_check(
    *, answer: Answer, action: str, published_text: str, note: str, clause: PolicyClause | None
) -> None:
    """The rules of a decision; the admin form runs them too, so mistakes show next to the fields."""
    if answer.publication == Answer.Publication.NOT_REQUESTED:
        raise ValidationError(_("The respondent did not agree to publication."))
    if action not in MODERATION_TARGETS:
        raise ValidationError(_("Choose a decision."))
    if action == "redact" and (not published_text.strip() or not note.strip()):
        raise ValidationError(_("A redaction needs the text to publish and the reason for it."))
    if action == "redact" and published_text.strip() == answer.text.strip():
        raise ValidationError(_("The text to publish is unchanged: publish it as written, or redact part of it."))
    if action == "reject" and clause is None:
        raise ValidationError(_("Cite the policy clause the answer breaks."))


@transaction.atomic
def answer_moderate(
    *,
    answer: Answer,
    action: str,
    moderator: User | AnonymousUser,
    published_text: str = "",
    note: str = "",
    clause: PolicyClause | None = None,
) -> Answer:
    """Approve, redact (the reason kept for audit) or reject an answer for publication."""
    if not staff_can(moderator, "consultations.moderate_answer"):
        raise PermissionDenied
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    answer_moderation_check(answer=answer, action=action, published_text=published_text, note=note, clause=clause)
    before = answer.publication
    answer.publication = MODERATION_TARGETS[action]
    answer.published_text = published_text if action == "redact" else ""
    answer.save(update_fields=["publication", "published_text"])
    moderation_event_record(
        subject=answer,
        actor=moderator,
        action=action,
        from_status=before,
        to_status=answer.publication,
        clause=clause,
        note=note,
        reasons=answer.moderation_reasons,
    )
    return answer


# --- Analysis --------------------------------------------------------------------------


def tag_create(*, question: Question, name: str, actor: User | AnonymousUser | None) -> QuestionTag:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the tag a name."))
    assert not isinstance(actor, AnonymousUser)  # staff pages call this, and the admin lets no anonymous visitor in
    tag, _created = QuestionTag.objects.get_or_create(question=question, name=name, defaults={"created_by": actor})
    return tag


@transaction.atomic
def answer_annotate(*, answer: Answer, tags: list[QuestionTag], note: str) -> Answer:
    if any(tag.question_id != answer.question_id for tag in tags):
        raise ValidationError(_("A tag belongs to one question only."))
    answer.tags.set(tags)
    if answer.note != note:
        answer.note = note
        answer.save(update_fields=["note"])
    return answer


@transaction.atomic
def answers_tag_group(*, answers: QuerySet[Answer], tag: QuestionTag) -> int:
    """Tag a campaign's near-identical answers at once."""
    grouped = list(answers.filter(question_id=tag.question_id))
    Answer.tags.through.objects.bulk_create(
        [Answer.tags.through(answer_id=answer.pk, questiontag_id=tag.pk) for answer in grouped], ignore_conflicts=True
    )
    return len(grouped)


def answer_mark_quote(*, answer: Answer, quote: bool, actor: User | AnonymousUser) -> Answer:
    """An analyst chooses an answer to quote in the published summary, or stops quoting it.

    Only words a respondent agreed to publish can be chosen; the summary also shows a chosen answer
    only once moderation has published it, in the form it was published (redactions kept).
    """
    if not staff_can(actor, "consultations.analyse_consultation"):
        raise PermissionDenied
    if quote:
        consent = Response.objects.filter(pk=answer.response_id).values_list("consent", flat=True).first()
        if consent not in (Response.Consent.NAMED, Response.Consent.ANONYMOUS):
            raise ValidationError(_("This respondent asked us not to publish their response: it cannot be quoted."))
        if not answer.text.strip():
            raise ValidationError(_("Only an answer in the respondent's own words can be quoted."))
    if answer.summary_quote != quote:
        answer.summary_quote = quote
        answer.save(update_fields=["summary_quote"])
    return answer


def responses_mark_analysed(*, responses: QuerySet[Response], analysed: bool = True) -> int:
    return responses.update(analysed=analysed)


# --- Late responses, opening, outcome ---------------------------------------------------


@transaction.atomic
def late_link_issue(
    *, consultation: Consultation, email: str, reason: str, actor: User | AnonymousUser | None, days: int = 7
) -> LateResponseLink:
    assert not isinstance(actor, AnonymousUser)  # staff pages call this, and the admin lets no anonymous visitor in
    link = LateResponseLink.objects.create(
        consultation=consultation,
        email=email,
        reason=reason,
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
    )
    emails.send_late_link(link=link)
    return link


def consultation_questions_editable(consultation: Consultation) -> bool:
    return consultation.pk is None or not consultation.questions_locked


@transaction.atomic
def consultation_conclude(*, consultation: Consultation, actor: User | AnonymousUser | None) -> Consultation:
    """Publish the outcome: the consultation becomes concluded and respondents are told, once."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.concluded_at:
        return consultation
    if consultation.status != Consultation.Status.CLOSED:
        raise ValidationError(_("Only a closed consultation can be concluded."))
    if not consultation.you_said.strip() or not consultation.we_did.strip():
        raise ValidationError(_("Write both “You said” and “We did” before publishing the outcome."))
    consultation.concluded_at = timezone.now()
    assert not isinstance(actor, AnonymousUser)  # staff pages call this, and the admin lets no anonymous visitor in
    consultation.updated_by = actor
    consultation.save(update_fields=["concluded_at", "updated_by", "updated_at"])
    # Both effects are rows in this transaction: with the broker down they wait for the sweeper,
    # and a second "conclude" (which returns above) never has to re-send anything.
    _announce(consultation=consultation, template="consultation-outcome", context=emails.outcome_context(consultation))
    job_enqueue(
        task="consultations.send_outcome",
        args=[consultation.pk],
        key=f"consultation-outcome:{consultation.pk}",
        queue="bulk",
    )
    return consultation


def consultation_send_outcome(*, consultation: Consultation) -> int:
    """One outcome email per respondent who asked to hear (the job recorded by ``consultation_conclude``).

    Each email's idempotency key makes a second run add nothing.
    """
    sent = 0
    respondents = consultation.responses.wanting_outcome().select_related("consultation__final_report")
    for response in respondents.iterator(chunk_size=500):
        with transaction.atomic():
            emails.send_outcome(response=response)
        sent += 1
    return sent


def consultation_announce_opening(*, consultation: Consultation) -> bool:
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.opening_announced_at or not locked.is_open:
            return False
        locked.opening_announced_at = timezone.now()
        locked.save(update_fields=["opening_announced_at"])
        # In the same transaction as the stamp: a crash between the two would otherwise lose the announcement.
        _announce(consultation=locked, template="consultation-opening", context=emails.opening_context(locked))
    return True


def _announce(*, consultation: Consultation, template: str, context: dict[str, str]) -> None:
    """Tell the subscribers to consultations, once per consultation and template."""
    announcement_fan_out(
        about=consultation,
        template=template,
        context=context,
        kind=template,
        key=f"{template}:{consultation.pk}",
        audience=Broadcast.Audience.CONSULTATIONS,
    )


def drafts_remind(*, now: datetime | None = None) -> int:
    """Remind people with an unsent draft, three days before closing, once each."""
    now = now or timezone.now()
    reminded = 0
    closing = Consultation.objects.closing_between(now, now + timedelta(days=3))
    drafts = Response.objects.drafts().filter(consultation__in=closing, reminded_at__isnull=True).exclude(email="")
    for response in drafts.select_related("consultation").iterator(chunk_size=500):
        with transaction.atomic():
            emails.send_draft_reminder(response=response)
            Response.objects.filter(pk=response.pk).update(reminded_at=now)
        reminded += 1
    return reminded


# --- Retention -------------------------------------------------------------------------


def _strip_personal_data(response: Response) -> None:
    response.email = ""
    response.name = ""
    response.organisation_role = ""
    response.user = None
    response.personal_data_removed_at = timezone.now()


def response_anonymise(*, response: Response) -> Response:
    """Erasure on request: the retention rule applied early, to one response; answers stay, files go.

    A new token, so the private link in the respondent's old emails opens nothing any more. Files
    are deleted: no one can take a name or signature out of a document as out of an answer's text.
    """
    attachments_delete(response.attachments.all())
    _strip_personal_data(response)
    response.token = new_token()
    response.save()
    return response


def personal_data_remove_expired(*, now: datetime | None = None) -> int:
    """Anonymise respondents of consultations concluded longer ago than the retention period; answers stay.

    An organisation's name is kept: it is not personal data, and analysis needs it. Attached files
    are deleted, as on erasure: a document's names and signatures cannot be taken out of it.
    """
    now = now or timezone.now()
    cutoff = now - relativedelta(months=settings.CONSULTATION_RETENTION_MONTHS)
    removed = 0
    for consultation in Consultation.objects.filter(concluded_at__lte=cutoff, personal_data_removed_at__isnull=True):
        with transaction.atomic():
            removed += consultation.responses.filter(personal_data_removed_at__isnull=True).update(
                email="", name="", organisation_role="", user=None, personal_data_removed_at=now
            )
            attachments_delete(Attachment.objects.filter(response__consultation=consultation))
            Consultation.objects.filter(pk=consultation.pk).update(personal_data_removed_at=now)
            tags_bump("consultation-responses")  # names published with answers leave the cached pages too
    return removed


def sections_for(consultation: Consultation) -> list[Section]:
    return list(consultation.sections.prefetch_related("questions"))
