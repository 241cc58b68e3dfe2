"""Files leave with the response: withdrawal, erasure and the retention job delete them from storage;
the analysts' export links them and the personal-data export carries them."""

import base64
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.personal_data import data_subject_find, personal_data_erase, personal_data_export
from accounts.roles import ANALYSTS
from consultations import services, tasks
from consultations.attachments import attachment_orphans_remove
from consultations.models import Attachment, Response, attachment_storage
from tests.consultations import attachments_setup, sample_files
from tests.consultations.attachments_setup import stored, stored_files
from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db
consultation = attachments_setup.consultation
paper_question = attachments_setup.paper_question
PERSON = "dev@example.org"


def test_withdrawing_deletes_the_files(consultation, paper_question, settings, django_capture_on_commit_callbacks):
    response = ResponseFactory(consultation=consultation, email=PERSON)
    stored(response, paper_question)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_withdraw(response=response)
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_erasure_deletes_the_files_of_drafts_and_of_sent_responses(
    consultation, paper_question, superuser, settings, django_capture_on_commit_callbacks
):
    sent = ResponseFactory(consultation=consultation, email=PERSON)
    draft = ResponseFactory(consultation=consultation, email=PERSON.upper(), status=Response.Status.DRAFT)
    someone_else = ResponseFactory(consultation=consultation, email="other@example.org")
    stored(sent, paper_question)
    stored(draft, paper_question, b"Draft notes", "notes.txt")
    kept = stored(someone_else, paper_question)
    with django_capture_on_commit_callbacks(execute=True):
        request = personal_data_erase(subject=data_subject_find(email=PERSON), actor=superuser)

    assert request.counts["consultation_attachments_deleted"] == 2
    assert list(Attachment.objects.all()) == [kept]
    assert [path.name for path in stored_files(settings)] == [kept.file.name]
    sent.refresh_from_db()
    assert sent.email == "" and sent.status == Response.Status.SUBMITTED


def test_a_rolled_back_erasure_keeps_the_files(
    consultation, paper_question, settings, django_capture_on_commit_callbacks
):
    stored(ResponseFactory(consultation=consultation, email=PERSON), paper_question)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.response_anonymise(response=Response.objects.get())
    # The deletion waits for the commit, which here never comes (the others empty cached pages).
    assert [callback.func.__name__ for callback in callbacks if hasattr(callback, "func")] == ["_delete_files"]
    assert len(stored_files(settings)) == 1


def test_the_retention_job_deletes_the_files_with_the_personal_data(settings, django_capture_on_commit_callbacks):
    now = timezone.now()
    old = ConsultationFactory(opens_at=now - timedelta(days=500), closes_at=now - timedelta(days=450))
    question = QuestionFactory(section__consultation=old, accepts_files=True)
    response = ResponseFactory(consultation=old)
    stored(response, question)
    old.concluded_at = now - timedelta(days=400)
    old.save()
    recent = ConsultationFactory(opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30))
    recent_question = QuestionFactory(section__consultation=recent, accepts_files=True)
    kept = stored(ResponseFactory(consultation=recent), recent_question)
    recent.concluded_at = now - timedelta(days=10)
    recent.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remove_expired_personal_data() == 1
    assert list(Attachment.objects.all()) == [kept]
    assert [path.name for path in stored_files(settings)] == [kept.file.name]


def test_the_sweep_removes_files_no_row_names_once_a_day_old(consultation, paper_question, settings):
    kept = stored(ResponseFactory(consultation=consultation), paper_question)
    storage = attachment_storage()
    orphan = storage.save("orphan", io.BytesIO(b"left behind"))
    assert attachment_orphans_remove() == 0  # too young: it may be an upload whose row is being saved
    assert attachment_orphans_remove(now=timezone.now() + timedelta(days=2)) == 1
    assert not storage.exists(orphan) and storage.exists(kept.file.name)


def test_the_export_links_each_file_for_analysts(client_for, consultation, paper_question, settings):
    settings.SITE_URL = "https://consult.example.org"
    response = ResponseFactory(consultation=consultation)
    first = stored(response, paper_question)
    second = stored(response, paper_question, b"Notes", "notes.txt")
    ResponseFactory(consultation=consultation)
    analyst = UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])
    export = client_for(analyst).get(f"/admin/consultations/consultation/{consultation.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("Q1 files (links for analysts)")
    base = f"https://consult.example.org/admin/consultations/consultation/{consultation.pk}/files"
    assert rows[1][column] == f"paper.pdf: {base}/{first.key}/\nnotes.txt: {base}/{second.key}/"
    assert rows[2][column] == ""
    assert len(rows[0]) == len(rows[1])


def test_the_personal_data_export_carries_the_files(consultation, paper_question):
    response = ResponseFactory(consultation=consultation, email=PERSON)
    stored(response, paper_question)
    data = personal_data_export(subject=data_subject_find(email=PERSON))
    [exported] = data["consultations"]["consultation_responses"]
    [attachment] = exported["attachments"]
    assert attachment["filename"] == "paper.pdf" and attachment["kind"] == "pdf"
    assert attachment["question"] == paper_question.text
    assert base64.b64decode(attachment["content_base64"]) == sample_files.pdf()
