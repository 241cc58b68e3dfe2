"""Attaching a position paper in a real browser: the GOV.UK file upload pattern, with and without
JavaScript, by keyboard, axe-core clean (WCAG 2.2 AA) at 1280 and 320 px wide."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consultations.models import Attachment, Response
from tests.consultations import sample_files
from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _axe():
    require_axe()


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def question():
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    section = SectionFactory(consultation=consultation, title="Your position")
    return QuestionFactory(
        section=section, text="What is your organisation's position?", required=True, accepts_files=True
    )


def pdf_file(name: str = "position paper.pdf", content: bytes | None = None) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": content or sample_files.pdf()}


def to_the_question(page: Page) -> None:
    page.goto("/consultations/clusters/")
    page.get_by_role("button", name="Respond to this consultation").click()
    page.fill("#id_email", "dev@example.org")
    page.check("#id_respondent_type_0")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your position")


def assert_clean_at_both_widths(page: Page, where: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert_no_axe_violations(page, f"{where} at {width} px")
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"{where} scrolls sideways"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_organisation_attaches_its_position_paper(page, question):
    to_the_question(page)
    file_input = page.get_by_label("Attach a file")
    assert_clean_at_both_widths(page, "the question page")

    # A program named as a PDF: refused by its content, the error summary focused and linked to the input.
    file_input.set_input_files(pdf_file("paper.pdf", sample_files.exe()))
    page.get_by_role("button", name="Attach this file").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(
        "“paper.pdf” is not a PDF, Word (DOCX), OpenDocument text (ODT) or plain text file."
    )
    expect(summary).to_be_focused()
    assert_clean_at_both_widths(page, "the page with a refused file")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Attach a file")).to_be_focused()

    page.get_by_label("Attach a file").set_input_files(pdf_file())
    page.get_by_role("button", name="Attach this file").click()
    expect(page.locator(".message")).to_contain_text("“position paper.pdf” is attached.")
    expect(page.get_by_role("link", name="position paper.pdf")).to_be_visible()
    assert_clean_at_both_widths(page, "the page with a file attached")

    with page.expect_download() as download:
        page.get_by_role("link", name="position paper.pdf").click()
    assert download.value.suggested_filename == "position paper.pdf"
    assert Path(download.value.path()).read_bytes() == sample_files.pdf()

    # Removed by keyboard, then attached again and sent.
    page.get_by_role("button", name="Remove position paper.pdf").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_contain_text("“position paper.pdf” is removed.")
    assert not Attachment.objects.exists()
    page.get_by_label("Attach a file").set_input_files(pdf_file())
    page.get_by_role("button", name="Save and continue").click()
    page.check("#id_tobacco_links_1")
    page.check("#id_consent_2")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("link", name="position paper.pdf")).to_be_visible()
    assert_clean_at_both_widths(page, "check your answers")
    page.get_by_role("button", name="Send my response").click()
    expect(page.locator(".reference")).to_have_text(Response.objects.get().reference)
    expect(page.get_by_role("link", name="position paper.pdf")).to_be_visible()
    assert_clean_at_both_widths(page, "the receipt")
    assert Attachment.objects.get().response.status == Response.Status.SUBMITTED


def test_without_javascript_the_file_goes_with_save_and_continue_and_is_there_on_return(no_script_page, question):
    page = no_script_page
    to_the_question(page)
    page.get_by_label("Attach a file").set_input_files(pdf_file())
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interests and publication")

    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("link", name="position paper.pdf")).to_be_visible()
    expect(page.get_by_role("button", name="Remove position paper.pdf")).to_be_visible()
    page.get_by_role("button", name="Remove position paper.pdf").click()
    expect(page).to_have_url(re.compile(r"/respond/2/$"))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter your answer or attach a file.")
