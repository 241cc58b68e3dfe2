"""The consultations API: the same rules as the questionnaire, the same privacy as the pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from consultations import services
from consultations.models import Response
from tests.factories import (
    AnswerFactory,
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    section = SectionFactory(consultation=consultation)
    QuestionFactory(section=section, text="What should change?", required=True, max_length=40)
    QuestionFactory(section=section, text="Which regions?", kind="multiple", options="North\nSouth", allow_other=True)
    return consultation


def body(consultation, **extra):
    text, regions = consultation.questions.all()
    return {
        "email": "amy@example.org",
        "name": "Amy",
        "respondent_type": "organisation",
        "organisation": "Cancer Alliance",
        "organisation_role": "Director",
        "tobacco_links": "no",
        "consent": "anonymous",
        "accept_policy": True,
        "answers": [
            {"question": text.pk, "text": "Ten-year funding"},
            {"question": regions.pk, "selected": ["North", "other"], "text": "Wales"},
        ],
        **extra,
    }


def test_it_lists_and_reads_consultations_with_their_questions(client, consultation, django_assert_max_num_queries):
    ConsultationFactory(is_published=False, slug="secret")
    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/consultations/").json()
    assert [c["slug"] for c in listing["results"]] == ["clusters"]
    assert listing["results"][0]["status"] == "open"
    detail = client.get("/api/v1/consultations/clusters/").json()
    [section] = detail["sections"]
    assert [q["text"] for q in section["questions"]] == ["What should change?", "Which regions?"]
    assert section["questions"][1]["options"][-1] == {"value": "other", "label": "Other, please specify"}
    assert detail["outcome"] is None
    assert client.get("/api/v1/consultations/secret/").status_code == 404
    assert client.get("/api/v1/consultations/?status=open").json()["count"] == 1
    assert client.get("/api/v1/consultations/?status=closed").json()["count"] == 0


def test_it_submits_a_response_with_a_receipt(client, consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(
            "/api/v1/consultations/clusters/responses/", body(consultation), content_type="application/json"
        )
    assert reply.status_code == 201, reply.json()
    row = Response.objects.get()
    assert reply.json()["reference"] == row.reference and row.status == Response.Status.SUBMITTED
    assert (row.organisation, row.consent) == ("Cancer Alliance", "anonymous")
    answer = row.answers.get(question__kind="multiple")
    assert (answer.selected, answer.text) == (["North", "other"], "Wales")
    assert [m.to for m in mail.outbox if row.reference in m.subject] == [["amy@example.org"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tobacco_links": "yes"}, "tobacco_links_details"),
        ({"organisation": ""}, "organisation"),
        ({"accept_policy": False}, "accept_policy"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_it_applies_the_forms_rules(client, consultation, change, field):
    reply = client.post(
        "/api/v1/consultations/clusters/responses/", body(consultation, **change), content_type="application/json"
    )
    assert reply.status_code == 400
    assert field in str(reply.json())
    assert not Response.objects.exists()


def test_it_checks_every_answer(client, consultation):
    text, regions = consultation.questions.all()
    too_long = body(consultation, answers=[{"question": text.pk, "text": "x" * 41}])
    reply = client.post("/api/v1/consultations/clusters/responses/", too_long, content_type="application/json")
    assert reply.status_code == 400 and f"answers.q{text.pk}" in str(reply.json())
    missing = body(consultation, answers=[{"question": regions.pk, "selected": ["South"]}])
    reply = client.post("/api/v1/consultations/clusters/responses/", missing, content_type="application/json")
    assert reply.status_code == 400 and f"answers.q{text.pk}" in str(reply.json())
    foreign = body(consultation, answers=[{"question": QuestionFactory().pk, "text": "?"}])
    reply = client.post("/api/v1/consultations/clusters/responses/", foreign, content_type="application/json")
    assert reply.status_code == 400 and "answers" in reply.json()["errors"]
    assert not Response.objects.exists()


def test_a_closed_consultation_refuses_responses(client, consultation):
    consultation.opens_at = timezone.now() - timedelta(days=30)
    consultation.closes_at = timezone.now() - timedelta(seconds=1)
    consultation.save()
    reply = client.post(
        "/api/v1/consultations/clusters/responses/", body(consultation), content_type="application/json"
    )
    assert reply.status_code == 403
    assert "not open" in reply.json()["detail"]


def test_published_responses_show_the_public_reference_only(client, consultation, moderator):
    row = ResponseFactory(consultation=consultation, status="draft", submitted_at=None, consent="named", name="Jo")
    AnswerFactory(response=row, question=consultation.questions.first(), text="Publish me")
    services.response_submit(response=row)
    assert client.get("/api/v1/consultations/clusters/responses/").json()["count"] == 0
    services.answer_moderate(answer=row.answers.get(), action="approve", moderator=moderator)
    payload = client.get("/api/v1/consultations/clusters/responses/").json()
    [published] = payload["results"]
    assert published["public_reference"] == row.public_reference and published["name"] == "Jo"
    assert published["answers"][0]["answer"] == "Publish me"
    assert row.reference not in str(payload) and row.email not in str(payload)


def test_the_outcome_is_a_404_until_published(client, consultation):
    assert client.get("/api/v1/consultations/clusters/outcome/").status_code == 404
    consultation.closes_at = timezone.now() - timedelta(days=1)
    consultation.opens_at = timezone.now() - timedelta(days=30)
    consultation.you_said, consultation.we_did = "You said *this*.", "We did that."
    consultation.concluded_at = timezone.now()
    consultation.save()
    outcome = client.get("/api/v1/consultations/clusters/outcome/").json()
    assert outcome["we_did"] == "We did that." and "<em>this</em>" in outcome["you_said_html"]
    assert client.get("/api/v1/consultations/clusters/").json()["status"] == "concluded"
