"""Files attached through the API: a signed-in client's draft takes files with the questionnaire's
checks, every refusal is a 400 naming the input, strangers get 404, and the files go with the response
into the analysts' export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import ANALYSTS
from consultations.api.attachments import AttachmentThrottle
from consultations.models import Attachment, Response
from tests.consultations import attachments_setup
from tests.consultations.attachments_setup import stored_files, upload
from tests.consultations.fake_clamd import FakeClamd
from tests.consultations.sample_files import EICAR, docm, exe, pdf
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db
consultation = attachments_setup.consultation
paper_question = attachments_setup.paper_question


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def api(api_for, stakeholder) -> APIClient:
    return api_for(stakeholder)


@pytest.fixture
def draft(api, consultation) -> dict:
    started = api.post("/api/v1/responses/", {"consultation": consultation.slug}, format="json")
    assert started.status_code == 201, started.json()
    return started.json()


def attach(api, draft: dict, question, content: bytes | None = None, name: str = "paper.pdf"):
    body = {"question": question.pk, "file": upload(pdf() if content is None else content, name)}
    return api.post(f"/api/v1/responses/{draft['id']}/attachments/", body, format="multipart")


def submission(draft: dict | None, question, text: str = "") -> dict:
    return {
        "email": "stakeholder@example.org",
        "respondent_type": "individual",
        "tobacco_links": "no",
        "consent": "private",
        "answers": [{"question": question.pk, "text": text}],
        "draft": draft["id"] if draft else None,
    }


def errors_of(reply) -> dict:
    assert reply.status_code == 400, reply.content
    return reply.json()["errors"]


# --- Attaching ---------------------------------------------------------------------------------


def test_it_attaches_a_file_to_a_draft_and_describes_it(api, draft, paper_question, settings):
    reply = attach(api, draft, paper_question, name="Our paper.pdf")
    assert reply.status_code == 201, reply.json()
    body = reply.json()
    attachment = Attachment.objects.get()
    assert body["id"] == attachment.key and body["question"] == paper_question.pk
    assert (body["name"], body["type"], body["kind"], body["size"]) == (
        "Our paper.pdf",
        "application/pdf",
        "pdf",
        len(pdf()),
    )
    assert body["download_url"].endswith(f"/api/v1/responses/{draft['id']}/attachments/{attachment.key}/download/")
    assert [item["id"] for item in api.get(f"/api/v1/responses/{draft['id']}/").json()["attachments"]] == [body["id"]]
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf()
    assert download["Content-Disposition"] == 'attachment; filename="Our paper.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (exe(), "paper.pdf", "is not a PDF, Word (DOCX)"),
        (docm(), "paper.docx", "is not a PDF, Word (DOCX)"),
        (b"", "empty.txt", "is empty"),
    ],
)
def test_a_file_the_questionnaire_refuses_is_a_400_on_the_file(api, draft, paper_question, content, name, says):
    errors = errors_of(attach(api, draft, paper_question, content, name))
    assert list(errors) == ["file"] and says in errors["file"][0]
    assert not Attachment.objects.exists()


def test_a_file_past_the_size_limit_is_refused_without_being_stored(api, draft, consultation, paper_question):
    consultation.attachment_max_file_mb = 1
    consultation.save()
    big = pdf() + b" " * (1024 * 1024)
    errors = errors_of(attach(api, draft, paper_question, big, "big.pdf"))
    assert errors == {"file": ["“big.pdf” is larger than 1 MB. Attach a smaller file, or save it with smaller images."]}
    assert not Attachment.objects.exists()


def test_files_past_the_count_for_a_response_are_refused(api, draft, consultation, paper_question):
    consultation.attachment_max_files = 1
    consultation.save()
    assert attach(api, draft, paper_question).status_code == 201
    errors = errors_of(attach(api, draft, paper_question))
    assert errors["file"] == ["You can attach up to 1 files to your response. Remove one to attach another."]
    assert Attachment.objects.count() == 1


def test_a_question_that_takes_no_files_is_a_400_on_the_question(api, draft, consultation, paper_question):
    other = consultation.questions.exclude(pk=paper_question.pk).get()
    assert errors_of(attach(api, draft, other)) == {"question": ["This question does not accept files."]}
    elsewhere = QuestionFactory(accepts_files=True)
    assert list(errors_of(attach(api, draft, elsewhere))) == ["question"]


def test_a_request_without_a_file_is_a_400_not_a_500(api, draft, paper_question):
    reply = api.post(
        f"/api/v1/responses/{draft['id']}/attachments/", {"question": paper_question.pk}, format="multipart"
    )
    assert list(errors_of(reply)) == ["file"]
    reply = api.post(f"/api/v1/responses/{draft['id']}/attachments/", {"question": "x"}, format="json")
    assert reply.status_code == 415


def test_a_virus_is_refused_when_clamd_is_configured(api, draft, paper_question, settings, tmp_path):
    server = FakeClamd(tmp_path / "clamd.sock")
    settings.CLAMD_SOCKET = server.address
    try:
        errors = errors_of(attach(api, draft, paper_question, b"Notes " + EICAR, "notes.txt"))
        assert "our virus check found" in errors["file"][0]
        assert attach(api, draft, paper_question).json()["scanned"] is True
    finally:
        server.close()


def test_a_sent_response_takes_no_more_files_and_keeps_its_own(
    api, draft, paper_question, django_capture_on_commit_callbacks
):
    key = attach(api, draft, paper_question).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api.post(
                "/api/v1/consultations/clusters/responses/", submission(draft, paper_question), format="json"
            ).status_code
            == 201
        )
    refusal = ["This response has been sent, so it can no longer be changed."]
    assert errors_of(attach(api, draft, paper_question)) == {"response": refusal}
    assert errors_of(api.delete(f"/api/v1/responses/{draft['id']}/attachments/{key}/")) == {"response": refusal}
    assert Attachment.objects.count() == 1


def test_a_draft_loses_a_file_it_removes(api, draft, paper_question, django_capture_on_commit_callbacks, settings):
    key = attach(api, draft, paper_question).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/responses/{draft['id']}/attachments/{key}/").status_code == 204
    assert not Attachment.objects.exists() and stored_files(settings) == []
    assert api.delete(f"/api/v1/responses/{draft['id']}/attachments/{key}/").status_code == 404


def test_uploads_are_throttled(api, draft, paper_question, monkeypatch):
    monkeypatch.setattr(AttachmentThrottle, "rate", "2/hour")
    assert [attach(api, draft, paper_question).status_code for _ in range(3)] == [201, 201, 429]


# --- Who may ---------------------------------------------------------------------------------------


def test_another_persons_response_is_a_404_whatever_is_asked(api, api_for, draft, paper_question):
    key = attach(api, draft, paper_question).json()["id"]
    stranger = api_for(UserFactory(username="stranger"))
    base = f"/api/v1/responses/{draft['id']}"
    assert stranger.get(f"{base}/").status_code == 404
    assert stranger.get(f"{base}/attachments/").status_code == 404
    assert stranger.get(f"{base}/attachments/{key}/download/").status_code == 404
    assert stranger.delete(f"{base}/attachments/{key}/").status_code == 404
    assert attach(stranger, draft, paper_question).status_code == 404
    assert Attachment.objects.count() == 1


def test_a_guest_is_asked_to_sign_in(api_for, consultation, paper_question):
    guest = api_for(None)
    assert guest.post("/api/v1/responses/", {"consultation": "clusters"}, format="json").status_code == 401
    assert guest.get("/api/v1/responses/1/attachments/").status_code == 401


def test_a_draft_needs_an_open_consultation(api, consultation):
    consultation.opens_at = timezone.now() + timedelta(days=1)
    consultation.closes_at = timezone.now() + timedelta(days=2)
    consultation.save()
    assert list(errors_of(api.post("/api/v1/responses/", {"consultation": "clusters"}, format="json"))) == [
        "consultation"
    ]
    assert list(errors_of(api.post("/api/v1/responses/", {"consultation": "nowhere"}, format="json"))) == [
        "consultation"
    ]


# --- Sending ---------------------------------------------------------------------------------------


def test_the_files_of_a_draft_go_with_the_response_into_the_export(
    api, api_for, draft, consultation, paper_question, client_for, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://consult.example.org"
    key = attach(api, draft, paper_question).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        # The file alone answers the required free-text question, as on the site.
        sent = api.post("/api/v1/consultations/clusters/responses/", submission(draft, paper_question), format="json")
    assert sent.status_code == 201, sent.json()
    response = Response.objects.get()
    assert response.pk == draft["id"] and response.status == Response.Status.SUBMITTED
    analyst = UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])
    export = client_for(analyst).get(f"/admin/consultations/consultation/{consultation.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("Q1 files (links for analysts)")
    assert (
        rows[1][column]
        == f"paper.pdf: https://consult.example.org/admin/consultations/consultation/{consultation.pk}/files/{key}/"
    )
    download = api_for(analyst).get(f"/api/v1/responses/{draft['id']}/attachments/{key}/download/")
    assert download.status_code == 200


def test_without_a_draft_a_file_question_still_needs_its_text(api, consultation, paper_question):
    errors = errors_of(
        api.post("/api/v1/consultations/clusters/responses/", submission(None, paper_question), format="json")
    )
    assert errors == {f"answers.q{paper_question.pk}": ["Enter your answer or attach a file."]}


def test_someone_elses_draft_cannot_be_sent(api_for, draft, paper_question):
    stranger = api_for(UserFactory(username="stranger"))
    reply = stranger.post(
        "/api/v1/consultations/clusters/responses/", submission(draft, paper_question, "Mine"), format="json"
    )
    assert errors_of(reply) == {"draft": ["You have no draft of this consultation with this id."]}


def test_the_schema_documents_the_upload(client):
    schema = client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/v1/responses/{response_id}/attachments/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"201", "400"} <= set(create["responses"])
    assert "delete" in schema["paths"]["/api/v1/responses/{response_id}/attachments/{key}/"]
