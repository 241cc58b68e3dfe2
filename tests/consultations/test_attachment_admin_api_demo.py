"""Attachments in the editors' admin (limits, the scanning notice), in the API's consultation detail
and submission (files come through a draft, never inside the JSON) and in the demo content (a position
paper, loaded once)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from consultations.checks import attachments_outside_public_files
from consultations.demo import CONCLUDED_SLUG, OPEN_SLUG
from consultations.models import Attachment, Consultation, Question, attachment_storage
from tests.consultations import attachments_setup

pytestmark = pytest.mark.django_db
consultation = attachments_setup.consultation
paper_question = attachments_setup.paper_question


# --- Admin -------------------------------------------------------------------------------------


def change_page(client_for, user, consultation) -> str:
    return client_for(user).get(f"/admin/consultations/consultation/{consultation.pk}/change/").content.decode()


def test_the_admin_says_files_are_not_scanned_without_clamd(client_for, editor, consultation, settings):
    settings.CLAMD_SOCKET = ""
    page = change_page(client_for, editor, consultation)
    assert "Files are not scanned for viruses: no antivirus daemon is configured (CLAMD_SOCKET)." in page
    assert 'name="attachment_max_file_mb" value="10"' in page
    assert 'name="attachment_max_total_mb" value="25"' in page
    assert 'name="attachment_max_files" value="5"' in page


def test_the_admin_says_files_are_scanned_with_clamd(client_for, editor, consultation, settings):
    settings.CLAMD_SOCKET = "/run/clamav/clamd.ctl"
    page = change_page(client_for, editor, consultation)
    assert "Each file is scanned for viruses before it is accepted" in page


def test_an_editor_lets_a_question_accept_files_and_sets_the_limits(client_for, editor, db):
    page = client_for(editor).get("/admin/consultations/consultation/add/").content.decode()
    assert 'name="questions-__prefix__-accepts_files"' in page
    assert "Largest file (MB)" in page


def test_the_limits_must_fit_together(consultation):
    consultation.attachment_max_file_mb = 30
    consultation.attachment_max_total_mb = 20
    with pytest.raises(ValidationError) as error:
        consultation.full_clean()
    assert "attachment_max_total_mb" in error.value.message_dict


def test_a_system_check_refuses_attachments_under_the_public_files(settings):
    assert attachments_outside_public_files() == []
    private = settings.STORAGES["consultation_attachments"]
    options = {**private["OPTIONS"], "location": settings.MEDIA_ROOT / "attachments"}
    settings.STORAGES = {**settings.STORAGES, "consultation_attachments": {**private, "OPTIONS": options}}
    [error] = attachments_outside_public_files()
    assert error.id == "consultations.E001"


# --- API ---------------------------------------------------------------------------------------


def api_body(paper_question, answers):
    return {
        "email": "amy@example.org",
        "respondent_type": "individual",
        "tobacco_links": "no",
        "consent": "private",
        "answers": answers,
    }


def test_the_api_says_which_questions_accept_files(client, consultation, paper_question):
    detail = client.get("/api/v1/consultations/clusters/").json()
    questions = {question["id"]: question for question in detail["sections"][0]["questions"]}
    assert questions[paper_question.pk]["accepts_files"] is True
    schema = client.get("/api/schema/?format=json").content.decode()
    assert "To attach files, start a draft (`POST /api/v1/responses/`, signed in)" in schema


def test_through_the_api_a_file_question_needs_its_text(client, consultation, paper_question):
    reply = client.post(
        "/api/v1/consultations/clusters/responses/",
        api_body(paper_question, [{"question": paper_question.pk, "text": ""}]),
        content_type="application/json",
    )
    assert reply.status_code == 400
    assert reply.json()["errors"][f"answers.q{paper_question.pk}"] == ["Enter your answer or attach a file."]


def test_a_file_sent_to_the_api_is_a_400_not_a_500(client, consultation, paper_question):
    answer = {"question": paper_question.pk, "text": "Our view", "files": [{"name": "p.pdf", "content": "JVBERi0="}]}
    reply = client.post(
        "/api/v1/consultations/clusters/responses/",
        api_body(paper_question, [answer]),
        content_type="application/json",
    )
    assert reply.status_code == 400
    assert not Attachment.objects.exists()


# --- Demo --------------------------------------------------------------------------------------


def test_the_concluded_demo_has_an_organisations_position_paper_loaded_once():
    call_command("load_demo_content", verbosity=0)
    call_command("load_demo_content", verbosity=0)
    [paper] = Attachment.objects.all()
    assert paper.response.consultation.slug == CONCLUDED_SLUG
    assert paper.response.respondent_type == "organisation" and paper.response.status == "submitted"
    assert paper.kind == "pdf" and paper.filename.endswith("position paper.pdf")
    with attachment_storage().open(paper.file.name) as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-1.4") and b"%%EOF" in content[-10:] and len(content) == paper.size
    assert Question.objects.filter(consultation__slug=OPEN_SLUG, accepts_files=True).count() == 1
    assert Consultation.objects.get(slug=CONCLUDED_SLUG).questions.filter(accepts_files=True).count() == 1
