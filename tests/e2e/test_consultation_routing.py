"""Routing in a real browser: with JavaScript the follow-ups appear under the answer they depend on;
without it the pages that do not apply are skipped all the same and the follow-ups wait with a hint.
Every page on the way (with its follow-ups shown), and the published summary, passes axe-core at
WCAG 2.2 AA at 1280 and 320 px."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.models import Answer, Conditional, Response
from tests.e2e.accessibility import assert_no_axe_violations
from tests.factories import AnswerFactory, ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 320]
# What sticks out past 320 px, named in the failure.
WIDE = """() => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > 321).slice(0, 8)
  .map((e) => `${e.tagName} ${Math.round(e.getBoundingClientRect().right)}px ${e.textContent.slice(0, 40)}`)
"""


@pytest.fixture
def routed():
    consultation = ConsultationFactory(slug="routed", title="Supporting research clusters")
    work = SectionFactory(consultation=consultation, title="Your work", order=1)
    SectionFactory(
        consultation=consultation,
        title="About your organisation",
        order=2,
        condition_source=Conditional.Source.RESPONDENT_TYPE,
        condition_values=["organisation"],
    )
    how_often = QuestionFactory(
        section=work, order=1, kind="single", text="How often?", options="Often\nRarely", required=True
    )
    QuestionFactory(
        section=work,
        order=2,
        text="What stops you?",
        required=True,
        condition_source=Conditional.Source.QUESTION,
        condition_question=how_often,
        condition_values=["Rarely"],
    )
    QuestionFactory(section=consultation.sections.get(order=2), text="How many staff?", required=True)
    return consultation


def fits(page: Page, width: int, where: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert_no_axe_violations(page, f"{where} at {width} px")
    if width == 320:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, (where, page.evaluate(WIDE))


def about_you(page: Page, *, organisation: bool) -> None:
    page.fill("#id_email", "amy@example.org")
    page.fill("#id_name", "Amy Shah")
    if organisation:
        page.check("#id_respondent_type_1")
        page.fill("#id_organisation", "Northshire Public Health")
        page.fill("#id_organisation_role", "Director")
    else:
        page.check("#id_respondent_type_0")


def test_with_javascript_follow_ups_are_revealed_by_their_answer(page, routed):
    page.goto("/consultations/routed/")
    page.click("text=Respond to this consultation")
    organisation = page.locator("#id_organisation")
    expect(organisation).to_be_hidden()
    for width in WIDTHS:
        fits(page, width, "about you")
    page.set_viewport_size({"width": 1280, "height": 900})
    # By keyboard: focus the radios and choose with the arrow keys, as a keyboard user would.
    page.focus("#id_respondent_type_0")
    page.keyboard.press("Space")
    expect(organisation).to_be_hidden()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_respondent_type_1")).to_be_checked()
    expect(organisation).to_be_visible()
    assert page.get_attribute("#id_respondent_type_1", "aria-controls") == "conditional-id_respondent_type_1"
    about_you(page, organisation=False)
    expect(organisation).to_be_hidden()
    page.click("text=Save and continue")

    follow_up = page.locator("[data-condition-field]")
    expect(follow_up).to_be_hidden()
    page.get_by_label("Rarely").check()
    expect(follow_up).to_be_visible()
    for width in WIDTHS:
        fits(page, width, "a page with a revealed follow-up")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=Save and continue")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("What stops you?")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.get_by_label("What stops you?").fill("No cluster near us")
    page.click("text=Save and continue")

    expect(page.locator("h1")).to_have_text("Interests and publication"), "the organisation page is skipped"
    details = page.locator("#id_tobacco_links_details")
    expect(details).to_be_hidden()
    page.check("#id_tobacco_links_0")
    expect(details).to_be_visible()
    fits(page, 320, "the declaration with its follow-up")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.check("#id_tobacco_links_1")
    expect(details).to_be_hidden()
    page.check("#id_consent_2")
    page.click("text=Save and continue")

    main = page.inner_text("main")
    assert "No cluster near us" in main and "How many staff?" not in main
    for width in WIDTHS:
        fits(page, width, "check your answers")
    page.click("text=Send my response")
    assert Response.objects.get().status == Response.Status.SUBMITTED


def test_without_javascript_the_pages_that_do_not_apply_are_skipped(no_script_page, routed):
    page = no_script_page
    page.goto("/consultations/routed/")
    page.click("text=Respond to this consultation")
    # Everything is shown, the follow-ups with a hint saying when to answer them.
    expect(page.locator("#id_organisation")).to_be_visible()
    expect(page.locator("#id_organisation-hint")).to_have_text("Only if you respond on behalf of an organisation.")
    # axe-core needs JavaScript to run: the same pages with their follow-ups shown pass it in the test above.
    about_you(page, organisation=True)
    page.click("text=Save and continue")

    expect(page.locator("[data-condition-field]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Answer this only if you chose “Rarely” for “How often?”.")
    page.get_by_label("Often").check()
    page.get_by_label("What stops you?").fill("Typed though it does not apply")
    page.click("text=Save and continue")

    expect(page.locator("h1")).to_have_text("About your organisation")
    page.get_by_label("How many staff?").fill("40")
    page.click("text=Save and continue")
    expect(page.locator("h1")).to_have_text("Interests and publication")
    page.check("#id_tobacco_links_1")
    page.check("#id_consent_2")
    page.click("text=Save and continue")
    main = page.inner_text("main")
    assert "How many staff?" in main and "40" in main
    assert "What stops you?" not in main and "Typed though" not in main

    # An organisation becomes an individual: its page and what was typed there go.
    page.click("text=Change your details")
    page.check("#id_respondent_type_0")
    page.click("text=Save and continue")
    expect(page.locator("h1")).to_have_text("Your work")
    response = Response.objects.get()
    assert response.organisation == ""
    assert not Answer.objects.filter(response=response, question__text="How many staff?").exists()
    page.goto("/consultations/routed/respond/check/")
    assert "How many staff?" not in page.inner_text("main")


def test_the_published_summary_passes_axe_core_and_fits_320_pixels(page, routed):
    now = timezone.now()
    consultation = ConsultationFactory(
        slug="concluded",
        title="Diagnosing cancer earlier",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
        concluded_at=now - timedelta(days=1),
        you_said="Most said more staff.",
        we_did="We asked for training places.",
        summary_published=True,
    )
    section = SectionFactory(consultation=consultation, title="Staff")
    staff = QuestionFactory(section=section, kind="scale", text="Diagnostic services near me have enough staff.")
    helps = QuestionFactory(
        section=section, kind="multiple", text="What would help most?", options="Training places\nNew scanners"
    )
    words = QuestionFactory(section=section, text="What else would help diagnose cancer earlier?")
    campaign = "Please fund ten more years of training places for radiographers and endoscopists across England now."
    for n in range(8):
        response = ResponseFactory(
            consultation=consultation, consent=["named", "anonymous", "private"][n % 3], name=f"Person {n}"
        )
        publication = "approved" if response.consent != "private" else "none"
        AnswerFactory(response=response, question=staff, selected=["agree" if n % 2 else "disagree"], text="")
        AnswerFactory(response=response, question=helps, selected=["Training places"], text="")
        AnswerFactory(
            response=response,
            question=words,
            text=campaign if n < 4 else f"Evening clinics, idea {n}.",
            publication=publication,
            summary_quote=n in (4, 5),
        )
    page.goto("/consultations/concluded/")
    expect(page.locator("#response-summary")).to_contain_text("Summary of the responses")
    expect(page.locator("#response-summary")).to_contain_text("In their own words")
    for width in WIDTHS:
        fits(page, width, "the published summary")
