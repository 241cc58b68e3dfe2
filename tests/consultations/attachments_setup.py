"""A consultation whose first section asks for a position paper, and a browser part-way through it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory


@pytest.fixture
def consultation(db, fresh_cache):
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    section = SectionFactory(consultation=consultation, title="Your position", order=1)
    QuestionFactory(
        section=section, text="What is your organisation's position?", required=True, accepts_files=True, order=1
    )
    QuestionFactory(section=section, text="Do you agree?", kind="scale", order=2)
    return consultation


@pytest.fixture
def paper_question(consultation):
    return consultation.questions.get(accepts_files=True)


def upload(content: bytes, name: str = "paper.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def begin(client, consultation, email: str = "dev@example.org") -> str:
    """Start a response in this browser and get past "about you"; the URL of the first section's page."""
    assert client.post(f"/consultations/{consultation.slug}/respond/").status_code == 302
    about = {"action": "continue", "email": email, "name": "Dev", "respondent_type": "individual"}
    assert client.post(f"/consultations/{consultation.slug}/respond/1/", about).status_code == 302
    return f"/consultations/{consultation.slug}/respond/2/"


def finish(client, consultation, django_capture_on_commit_callbacks):
    """Answer the declaration and send the response; the receipt's URL."""
    base = f"/consultations/{consultation.slug}/respond/"
    declaration = {"action": "continue", "tobacco_links": "no", "consent": "private", "wants_outcome": "on"}
    assert client.post(f"{base}3/", declaration).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{base}check/", {"action": "submit"})
    assert sent.status_code == 302, sent.content.decode()
    return sent.url


def stored(response, question, content: bytes | None = None, name: str = "paper.pdf"):
    """A file attached to ``response`` as the questionnaire would, whatever the response's state."""
    from consultations.attachments import attachment_store
    from tests.consultations.sample_files import pdf

    return attachment_store(response=response, question=question, upload=upload(content or pdf(), name))


def stored_files(settings) -> list:
    location = settings.STORAGES["consultation_attachments"]["OPTIONS"]["location"]
    return sorted(path for path in location.rglob("*") if path.is_file()) if location.exists() else []
