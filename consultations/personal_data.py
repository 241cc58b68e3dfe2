"""What the consultations app holds about a person, exported and erased on request (UK GDPR).

Responses are found by account or by address, compared case-folded as the account page does.
"""

import base64
from collections.abc import Collection

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from consultations.attachments import attachments_delete
from consultations.models import Answer, Attachment, LateResponseLink, Response, attachment_storage
from consultations.services import response_anonymise
from core.personal_data import redact_mentions
from moderation.models import ModerationEvent


def _responses(emails: Collection[str], user) -> QuerySet[Response]:
    match = Q(email_folded__in=list(emails))
    if user is not None:
        match |= Q(user=user)
    return Response.objects.annotate(email_folded=Lower("email")).filter(match)


def _late_links(emails: Collection[str]) -> QuerySet[LateResponseLink]:
    return LateResponseLink.objects.annotate(email_folded=Lower("email")).filter(email_folded__in=list(emails))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_export(*, emails: Collection[str], user=None) -> dict:
    answers = Answer.objects.select_related("question").order_by("question__order", "pk")
    responses = list(
        _responses(emails, user)
        .select_related("consultation")
        .prefetch_related(
            Prefetch("answers", queryset=answers),
            Prefetch("attachments", queryset=Attachment.objects.select_related("question")),
        )
        .order_by("started_at", "pk")
    )
    answer_ids = [answer.pk for response in responses for answer in response.answers.all()]
    events = ModerationEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Answer), object_id__in=answer_ids
    ).select_related("clause")
    return {
        # The private link's token is left out: it is a credential, not information about the person.
        "consultation_responses": [_response(response) for response in responses],
        "answer_moderation_events": [
            {
                "answer": event.object_id,
                "action": event.action,
                "to_status": event.to_status,
                "clause": str(event.clause) if event.clause else None,
                "note": event.note,
                "at": _date(event.created_at),
            }
            for event in events
        ],
        "late_response_links": [
            {
                "consultation": link.consultation.title,
                "email": link.email,
                "reason": link.reason,
                "expires_at": _date(link.expires_at),
            }
            for link in _late_links(emails).select_related("consultation")
        ],
    }


def _response(response: Response) -> dict:
    return {
        "consultation": response.consultation.title,
        "status": response.status,
        "reference": response.reference,
        "public_reference": response.public_reference,
        "email": response.email,
        "name": response.name,
        "respondent_type": response.respondent_type,
        "organisation": response.organisation,
        "organisation_role": response.organisation_role,
        "tobacco_links": response.tobacco_links,
        "tobacco_links_details": response.tobacco_links_details,
        "other_interests": response.other_interests,
        "publication_consent": response.consent,
        "wants_outcome": response.wants_outcome,
        "started_at": _date(response.started_at),
        "submitted_at": _date(response.submitted_at),
        "withdrawn_at": _date(response.withdrawn_at),
        "answers": [
            {
                "id": answer.pk,
                "question": answer.question.text,
                "selected": [answer.question.label_for(value) for value in answer.selected],
                "text": answer.text,
                "publication": answer.publication,
                "published_text": answer.published_text,
                "analyst_note": answer.note,
            }
            for answer in response.answers.all()
        ],
        # The files themselves, as the person gave them: they are part of what is held about them.
        "attachments": [_attachment(attachment) for attachment in response.attachments.all()],
    }


def _attachment(attachment: Attachment) -> dict:
    try:
        with attachment_storage().open(attachment.file.name or "", "rb") as handle:
            content: str | None = base64.b64encode(handle.read()).decode("ascii")
    except FileNotFoundError:
        content = None
    return {
        "question": attachment.question.text,
        "filename": attachment.filename,
        "kind": attachment.kind,
        "size": attachment.size,
        "uploaded_at": _date(attachment.uploaded_at),
        "content_base64": content,
    }


def personal_data_counts(*, emails: Collection[str], user=None) -> dict[str, int]:
    responses = _responses(emails, user)
    return {
        "consultation_responses": responses.exclude(status=Response.Status.DRAFT).count(),
        "consultation_drafts": responses.filter(status=Response.Status.DRAFT).count(),
        "consultation_attachments": Attachment.objects.filter(response__in=responses).count(),
        "late_response_links": _late_links(emails).count(),
    }


def personal_data_erase(*, emails: Collection[str], user=None) -> dict[str, int]:
    """Drafts go; sent responses are anonymised as the retention rule does, their answers kept.

    Attached files are deleted from storage once the caller's transaction commits, inside which this runs.
    """
    responses = _responses(emails, user)
    attachments = attachments_delete(Attachment.objects.filter(response__in=responses))
    draft_ids = list(responses.filter(status=Response.Status.DRAFT).values_list("pk", flat=True))
    Response.objects.filter(pk__in=draft_ids).delete()
    anonymised = 0
    for response in responses.exclude(status=Response.Status.DRAFT):
        response_anonymise(response=response)
        anonymised += 1
    # The answers are kept for the analysis, but not the address if the person wrote it in one.
    redact_mentions(Answer.objects.all(), fields=["text", "published_text", "note"], emails=emails)
    _late_links(emails).delete()
    return {
        "consultation_drafts_deleted": len(draft_ids),
        "consultation_responses_anonymised": anonymised,
        "consultation_attachments_deleted": attachments,
    }
