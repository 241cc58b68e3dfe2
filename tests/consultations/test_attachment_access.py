"""Who may download a file: its respondent (this browser's draft, or the receipt's private link) and
analysts with the permission; everyone else gets a 404 or a 403, and the file never sits under a public URL."""

import pytest
from django.test import Client

from accounts.roles import ANALYSTS, EDITORS
from consultations.models import Attachment, Response
from tests.consultations import attachments_setup, sample_files
from tests.consultations.attachments_setup import begin, finish, stored, upload
from tests.factories import AnswerFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db
consultation = attachments_setup.consultation
paper_question = attachments_setup.paper_question


@pytest.fixture
def attached(client, consultation, paper_question):
    url = begin(client, consultation)
    name = 'Our "position" paper.pdf'
    client.post(url, {"action": "continue", f"q{paper_question.pk}_file": upload(sample_files.pdf(), name)})
    return Attachment.objects.get()


def draft_url(attachment):
    return f"/consultations/clusters/respond/files/{attachment.key}/"


def receipt_url(attachment):
    return f"/responses/{attachment.response.token}/files/{attachment.key}/"


def admin_url(attachment):
    return f"/admin/consultations/consultation/{attachment.response.consultation_id}/files/{attachment.key}/"


def assert_download(response):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_files.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Our position paper.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private, no-store")


def test_the_browser_holding_the_draft_downloads_it(client, attached):
    assert_download(client.get(draft_url(attached)))


def test_another_respondent_or_a_stranger_gets_a_404(client, consultation, attached):
    other = Client()
    begin(other, consultation, email="someone@example.org")
    assert other.get(draft_url(attached)).status_code == 404
    assert Client().get(draft_url(attached)).status_code == 404
    # A draft's private link does not serve its files either: the draft page is the holder's alone.
    assert Client().get(receipt_url(attached)).status_code == 404


def test_the_receipt_link_serves_a_sent_responses_files(
    client, consultation, attached, django_capture_on_commit_callbacks
):
    finish(client, consultation, django_capture_on_commit_callbacks)
    attached.refresh_from_db()
    assert_download(Client().get(receipt_url(attached)))


def test_a_wrong_token_or_another_responses_token_gets_a_404(
    client, consultation, attached, django_capture_on_commit_callbacks
):
    finish(client, consultation, django_capture_on_commit_callbacks)
    other = Response.objects.create(consultation=consultation, status=Response.Status.SUBMITTED)
    assert Client().get(f"/responses/{other.token}/files/{attached.key}/").status_code == 404
    assert Client().get(f"/responses/not-a-token/files/{attached.key}/").status_code == 404
    attached.refresh_from_db()
    assert Client().get(f"/responses/{attached.response.token}/files/not-a-key/").status_code == 404


def test_analysts_download_sent_files_and_other_staff_do_not(
    client, consultation, attached, client_for, django_capture_on_commit_callbacks
):
    analyst = UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])
    editor = UserFactory(username="editor", is_staff=True, groups=[EDITORS])
    assert client_for(analyst).get(admin_url(attached)).status_code == 404  # still a draft: its author's alone

    finish(client, consultation, django_capture_on_commit_callbacks)
    assert_download(client_for(analyst).get(admin_url(attached)))
    assert client_for(editor).get(admin_url(attached)).status_code == 403
    assert client_for(UserFactory(username="reader")).get(admin_url(attached)).status_code == 302
    anonymous = Client().get(admin_url(attached))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/admin/login/")


def test_the_file_is_outside_the_public_media_and_static_files(attached, settings):
    path = attached.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    assert Client().get(f"/media/{attached.file.name}").status_code == 404


def test_the_response_admin_links_each_file_for_analysts(
    client, consultation, attached, client_for, django_capture_on_commit_callbacks
):
    finish(client, consultation, django_capture_on_commit_callbacks)
    analyst = UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])
    page = client_for(analyst).get(f"/admin/consultations/response/{attached.response_id}/change/")
    assert f'href="{admin_url(attached)}">Our position paper.pdf</a>' in page.content.decode()


def test_the_question_page_shows_analysts_each_file_and_the_file_only_answers(
    consultation, paper_question, client_for, django_assert_max_num_queries
):
    with_words = ResponseFactory(consultation=consultation)
    AnswerFactory(response=with_words, question=paper_question, text="See our paper")
    first = stored(with_words, paper_question)
    only_file = ResponseFactory(consultation=consultation, respondent_type="organisation", organisation="Alliance")
    second = stored(only_file, paper_question, b"Our notes", "notes.txt")
    analyst = UserFactory(username="analyst", is_staff=True, groups=[ANALYSTS])
    browser = client_for(analyst)
    url = f"/admin/consultations/consultation/{consultation.pk}/analysis/{paper_question.pk}/"
    with django_assert_max_num_queries(20):
        page = browser.get(url).content.decode()
    assert f'href="{admin_url(first)}">paper.pdf</a>' in page
    assert "1 response answered with a file only" in page
    assert f"{only_file.public_reference} · On behalf of an organisation · Alliance:" in page
    assert f'href="{admin_url(second)}">notes.txt</a>' in page
