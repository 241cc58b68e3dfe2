"""Attaching files in the paged questionnaire, without JavaScript: the GOV.UK file upload pattern."""

import pytest
from django.core import mail
from django.test import Client

from consultations.models import Attachment, Response
from tests.consultations import attachments_setup, sample_files
from tests.consultations.attachments_setup import begin, finish, upload
from tests.consultations.fake_clamd import FakeClamd

pytestmark = pytest.mark.django_db
consultation = attachments_setup.consultation
paper_question = attachments_setup.paper_question


def page_data(question, text="", **extra):
    return {"action": "continue", f"q{question.pk}": text, **extra}


def stored_files(settings) -> list:
    location = settings.STORAGES["consultation_attachments"]["OPTIONS"]["location"]
    return sorted(path for path in location.rglob("*") if path.is_file()) if location.exists() else []


def test_it_stores_a_file_that_alone_answers_a_required_question(client, consultation, paper_question, settings):
    url = begin(client, consultation)
    sent = client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.pdf())}))
    assert sent.status_code == 302 and sent.url.endswith("/respond/3/")

    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.kind, attachment.question) == ("paper.pdf", "pdf", paper_question)
    assert attachment.size == len(sample_files.pdf()) and not attachment.scanned
    [path] = stored_files(settings)
    assert path.read_bytes() == sample_files.pdf()
    assert "paper" not in path.name and not path.is_relative_to(settings.MEDIA_ROOT)
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    again = client.get(url).content.decode()
    assert "paper.pdf" in again
    assert f'name="remove_file" value="{attachment.key}"' in again
    assert 'enctype="multipart/form-data"' in again


def test_it_refuses_a_pdf_that_is_really_a_program_and_keeps_what_was_typed(
    client, consultation, paper_question, settings
):
    url = begin(client, consultation)
    data = page_data(paper_question, "Our view", **{f"q{paper_question.pk}_file": upload(sample_files.exe())})
    page = client.post(url, data)
    body = page.content.decode()
    assert page.status_code == 200
    message = "“paper.pdf” is not a PDF, Word (DOCX), OpenDocument text (ODT) or plain text file."
    assert f'<a href="#id_q{paper_question.pk}_file">Attach a file: {message}' in body
    assert f'id="id_q{paper_question.pk}_file-error"' in body
    assert ">\nOur view</textarea>" in body
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_it_refuses_a_web_page_named_as_a_pdf(client, consultation, paper_question):
    url = begin(client, consultation)
    page = client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.html())}))
    assert "is not a PDF, Word (DOCX)" in page.content.decode()
    assert not Attachment.objects.exists()


def test_a_required_question_wants_an_answer_or_a_file(client, consultation, paper_question):
    url = begin(client, consultation)
    page = client.post(url, page_data(paper_question))
    assert f'<a href="#id_q{paper_question.pk}">' in page.content.decode()
    assert "Enter your answer or attach a file." in page.content.decode()


def test_a_file_is_kept_when_another_answer_on_the_page_has_an_error(client, consultation, paper_question):
    paper_question.section.questions.exclude(pk=paper_question.pk).update(required=True)
    url = begin(client, consultation)
    page = client.post(
        url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.docx(), "a.docx")})
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Select an answer." in body
    assert Attachment.objects.get().filename == "a.docx"
    assert "a.docx" in body and 'name="remove_file"' in body


def test_attach_this_file_stays_on_the_page(client, consultation, paper_question):
    url = begin(client, consultation)
    data = {
        "action": "upload",
        f"q{paper_question.pk}": "Draft",
        f"q{paper_question.pk}_file": upload(b"Notes", "n.txt"),
    }
    stayed = client.post(url, data)
    assert stayed.status_code == 302 and stayed.url == url
    page = client.get(url).content.decode()
    assert "“n.txt” is attached." in page and ">\nDraft</textarea>" in page

    nothing = client.post(url, {"action": "upload", f"q{paper_question.pk}": "Draft"})
    assert "Choose a file to attach." in nothing.content.decode()


def test_remove_takes_the_file_away_and_deletes_it(
    client, consultation, paper_question, settings, django_capture_on_commit_callbacks
):
    url = begin(client, consultation)
    client.post(url, page_data(paper_question, "Text", **{f"q{paper_question.pk}_file": upload(sample_files.pdf())}))
    attachment = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(url, page_data(paper_question, "Text kept", remove_file=attachment.key))
    assert removed.status_code == 302 and removed.url == url
    assert not Attachment.objects.exists() and stored_files(settings) == []
    page = client.get(url).content.decode()
    assert "“paper.pdf” is removed." in page and ">\nText kept</textarea>" in page


def test_the_limit_per_file_stops_reading_a_larger_upload(client, consultation, paper_question, settings):
    consultation.attachment_max_file_mb = 1
    consultation.save()
    url = begin(client, consultation)
    big = b"A long position paper. " * 50_000  # 1.1 MB
    page = client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(big, "big.txt")}))
    assert "The file you chose is larger than 1 MB. Attach a smaller file." in page.content.decode()
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_the_limits_per_response_count_files_and_megabytes(client, consultation, paper_question):
    consultation.attachment_max_files = 2
    consultation.attachment_max_file_mb = 1
    consultation.attachment_max_total_mb = 1
    consultation.save()
    url = begin(client, consultation)
    half = b"x" * 600_000

    def attach(content, name):
        return client.post(url, {"action": "upload", f"q{paper_question.pk}_file": upload(content, name)})

    assert attach(half, "one.txt").status_code == 302
    refused = attach(half, "two.txt").content.decode()
    assert "Your files would add up to 1.1 MB, more than the 1 MB one response may attach." in refused
    assert attach(b"small", "two.txt").status_code == 302
    refused = attach(b"small", "three.txt").content.decode()
    assert "You can attach up to 2 files to your response. Remove one to attach another." in refused
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["one.txt", "two.txt"]


def test_save_and_come_back_later_keeps_the_file(
    client, consultation, paper_question, django_capture_on_commit_callbacks
):
    url = begin(client, consultation)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            url, {"action": "save-later", f"q{paper_question.pk}_file": upload(sample_files.odt(), "p.odt")}
        )
    assert saved.status_code == 200 and "dev@example.org" in mail.outbox[-1].to
    link = Response.objects.get().get_absolute_url()
    assert client.get(link).status_code == 302  # back into the questionnaire, in this browser
    assert "p.odt" in client.get(url).content.decode()


def test_check_your_answers_the_receipt_and_its_email_show_the_file(
    client, consultation, paper_question, django_capture_on_commit_callbacks
):
    url = begin(client, consultation)
    client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.pdf())}))
    attachment = Attachment.objects.get()
    check = client.get(f"/consultations/{consultation.slug}/respond/check/").content.decode()
    assert f'href="/consultations/clusters/respond/files/{attachment.key}/" download>paper.pdf</a>' in check

    receipt_url = finish(client, consultation, django_capture_on_commit_callbacks)
    receipt = client.get(receipt_url).content.decode()
    token = Response.objects.get().token
    assert f'href="/responses/{token}/files/{attachment.key}/" download>paper.pdf</a>' in receipt
    assert "Attached: paper.pdf" in mail.outbox[-1].body


def test_the_page_costs_the_same_queries_whatever_the_number_of_files(
    client, consultation, paper_question, django_assert_max_num_queries
):
    url = begin(client, consultation)
    client.post(url, {"action": "upload", f"q{paper_question.pk}_file": upload(b"one", "1.txt")})
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    queries = len(one)  # read now: the next request empties the connection's log
    for number in (2, 3, 4):
        client.post(url, {"action": "upload", f"q{paper_question.pk}_file": upload(b"more", f"{number}.txt")})
    with django_assert_max_num_queries(queries):
        assert "4.txt" in client.get(url).content.decode()


# --- Virus scanning ----------------------------------------------------------------------------


@pytest.fixture
def clamd(settings, tmp_path):
    server = FakeClamd(tmp_path / "clamd.sock")
    settings.CLAMD_SOCKET = server.address
    yield server
    server.close()


def test_with_clamd_each_file_is_scanned_before_it_is_accepted(client, consultation, paper_question, clamd):
    url = begin(client, consultation)
    client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.pdf())}))
    assert Attachment.objects.get().scanned
    assert clamd.received == [sample_files.pdf()]


def test_a_file_clamd_flags_is_refused(client, consultation, paper_question, clamd, settings):
    url = begin(client, consultation)
    eicar = upload(sample_files.EICAR, "eicar.txt")
    page = client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": eicar}))
    assert "“eicar.txt” was refused: our virus check found Eicar-Test-Signature in it." in page.content.decode()
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_when_clamd_is_down_files_are_refused_not_let_through(client, consultation, paper_question, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nobody.sock")
    settings.CLAMD_TIMEOUT = 1
    url = begin(client, consultation)
    page = client.post(url, page_data(paper_question, **{f"q{paper_question.pk}_file": upload(sample_files.pdf())}))
    assert "We could not check “paper.pdf” for viruses just now. Try again in a few minutes." in page.content.decode()
    assert not Attachment.objects.exists()


def test_the_upload_page_still_checks_the_csrf_token(consultation, paper_question):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/consultations/clusters/")
    token = browser.cookies["csrftoken"].value
    assert browser.post("/consultations/clusters/respond/", {"csrfmiddlewaretoken": token}).status_code == 302
    url = "/consultations/clusters/respond/2/"
    data = {"action": "upload", f"q{paper_question.pk}_file": upload(sample_files.pdf())}
    assert browser.post(url, data).status_code == 403
    assert not Attachment.objects.exists()
    data[f"q{paper_question.pk}_file"] = upload(sample_files.pdf())
    assert browser.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Attachment.objects.count() == 1
