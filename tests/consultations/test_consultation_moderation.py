"""Consent decides what may be published; moderators approve or redact each answer, with an audit trail."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from consultations import services
from consultations.models import Answer
from moderation.models import BlockedTerm, ModerationEvent
from tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    PolicyVersionFactory,
    QuestionFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return ConsultationFactory()


def submitted(consultation, consent, text="Clusters need ten-year funding.", **response):
    row = ResponseFactory(consultation=consultation, status="draft", submitted_at=None, consent=consent, **response)
    question = QuestionFactory(section__consultation=consultation)
    AnswerFactory(response=row, question=question, text=text)
    return services.response_submit(response=row)


def events_for(answer):
    return ModerationEvent.objects.filter(content_type=ContentType.objects.get_for_model(Answer), object_id=answer.pk)


def test_a_private_response_never_enters_the_queue(consultation):
    row = submitted(consultation, "private")
    assert row.answers.get().publication == Answer.Publication.NOT_REQUESTED
    assert not Answer.objects.awaiting_moderation().exists()


@pytest.mark.parametrize("consent", ["named", "anonymous"])
def test_consented_answers_wait_for_a_moderator(consultation, consent):
    row = submitted(consultation, consent)
    answer = row.answers.get()
    assert answer.publication == Answer.Publication.PENDING
    assert [event.action for event in events_for(answer)] == ["submitted"]
    assert not Answer.objects.published().exists()


def test_chosen_options_alone_are_published_without_a_moderator(consultation):
    row = ResponseFactory(consultation=consultation, status="draft", submitted_at=None, consent="anonymous")
    AnswerFactory(
        response=row,
        question=QuestionFactory(section__consultation=consultation, kind="yesno"),
        selected=["yes"],
        text="",
    )
    services.response_submit(response=row)
    assert row.answers.get().publication == Answer.Publication.APPROVED


def test_the_comment_pipelines_checks_flag_personal_data_and_blocked_terms(consultation):
    BlockedTerm.objects.create(term="dreadful")
    row = submitted(consultation, "named", text="Email me at jo@example.org, this is dreadful")
    reasons = row.answers.get().moderation_reasons
    assert "personal_data_email" in reasons and "suspect_term:dreadful" in reasons


def test_a_moderator_approves_and_the_answer_appears_with_the_public_reference_only(client, consultation, moderator):
    row = submitted(consultation, "named", email="jo@example.org", name="Jo Bloggs")
    answer = services.answer_moderate(answer=row.answers.get(), action="approve", moderator=moderator)
    assert answer.publication == Answer.Publication.APPROVED
    [event] = events_for(answer).filter(action="approve")
    assert event.actor == moderator and event.from_status == "pending" and event.to_status == "approved"
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "Clusters need ten-year funding." in html and "Jo Bloggs" in html
    assert row.public_reference in html
    assert row.reference not in html and "jo@example.org" not in html


def test_an_anonymous_answer_is_published_without_the_name(client, consultation, moderator):
    row = submitted(consultation, "anonymous", name="Jo Bloggs")
    services.answer_moderate(answer=row.answers.get(), action="approve", moderator=moderator)
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "Clusters need ten-year funding." in html and "Anonymous" in html and "Jo Bloggs" not in html


def test_a_redaction_publishes_the_edited_text_and_keeps_the_reason(client, consultation, moderator):
    row = submitted(consultation, "named", text="Dr Smith at St Mary's ruined my care.")
    answer = row.answers.get()
    with pytest.raises(ValidationError):
        services.answer_moderate(answer=answer, action="redact", moderator=moderator, published_text="[redacted]")
    services.answer_moderate(
        answer=answer,
        action="redact",
        moderator=moderator,
        published_text="[redacted] ruined my care.",
        note="Names a clinician",
    )
    answer.refresh_from_db()
    assert answer.publication == Answer.Publication.REDACTED and answer.text.startswith("Dr Smith")
    assert events_for(answer).get(action="redact").note == "Names a clinician"
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "[redacted] ruined my care." in html and "Dr Smith" not in html


def test_a_rejection_cites_a_policy_clause(client, consultation, moderator):
    clause = PolicyVersionFactory().clauses.get(number=1)
    answer = submitted(consultation, "named").answers.get()
    with pytest.raises(ValidationError):
        services.answer_moderate(answer=answer, action="reject", moderator=moderator)
    services.answer_moderate(answer=answer, action="reject", moderator=moderator, clause=clause)
    assert events_for(answer).get(action="reject").clause == clause
    assert "Clusters need ten-year funding." not in client.get(consultation.get_absolute_url()).content.decode()


def test_only_moderators_moderate(consultation, editor):
    answer = submitted(consultation, "named").answers.get()
    with pytest.raises(PermissionDenied):
        services.answer_moderate(answer=answer, action="approve", moderator=editor)


def test_the_moderation_queue_in_the_admin(client_for, consultation, moderator):
    answer = submitted(consultation, "named").answers.get()
    submitted(consultation, "private")
    client = client_for(moderator)
    queue = client.get("/admin/consultations/answer/")
    assert queue.status_code == 200
    assert list(queue.context["cl"].queryset) == [answer]
    url = f"/admin/consultations/answer/{answer.pk}/change/"
    form = client.post(url, {"decision": "redact", "redacted_text": answer.text, "reason": "x"})
    assert form.status_code == 200 and "unchanged" in form.content.decode()
    done = client.post(url, {"decision": "redact", "redacted_text": "[redacted] funding.", "reason": "Off-topic"})
    assert done.status_code == 302
    answer.refresh_from_db()
    assert answer.publication == Answer.Publication.REDACTED and answer.published_text == "[redacted] funding."
