"""A person answers a consultation in a real browser: errors summarised and focused, then a receipt."""

import pytest

from consultations.models import Response
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_answers_as_an_organisation_and_gets_a_receipt(page):
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    section = SectionFactory(consultation=consultation, title="Funding")
    QuestionFactory(section=section, text="What should change?", required=True)
    scale = QuestionFactory(section=section, text="Do you agree?", kind="scale")

    page.goto("/consultations/clusters/")
    assert "Closes in" in page.inner_text("[data-countdown]")
    page.click("text=Respond to this consultation")

    page.fill("#id_email", "dev@example.org")
    page.check("#id_respondent_type_1")
    page.click("text=Save and continue")
    summary = page.locator("[data-error-summary]")
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.click("[data-error-summary] a[href='#id_organisation']")
    assert page.evaluate("document.activeElement.id") == "id_organisation"
    assert page.input_value("#id_email") == "dev@example.org"
    page.fill("#id_name", "Dev Patel")
    page.fill("#id_organisation", "Midlands Cancer Alliance")
    page.fill("#id_organisation_role", "Programme Lead")
    page.click("text=Save and continue")

    page.fill("textarea", "Ten-year funding for every region.")
    page.get_by_label("Agree", exact=True).check()
    page.click("text=Save and continue")

    page.check("#id_tobacco_links_1")
    page.check("#id_consent_2")
    page.click("text=Save and continue")
    assert "Ten-year funding for every region." in page.inner_text("main")
    page.click("text=Send my response")

    row = Response.objects.get()
    assert page.inner_text(".reference") == row.reference
    assert row.status == Response.Status.SUBMITTED and row.organisation == "Midlands Cancer Alliance"
    assert row.answers.get(question=scale).selected == ["agree"]
