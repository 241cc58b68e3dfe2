"""The personal-data pages work by keyboard and without JavaScript: the delete-account page (with its
error state) and the draft pages someone sees after opening another person's save link.

axe-core and the 320 px reflow check run on these pages, the privacy notice and the admin's
personal-data pages with every other page, in tests/e2e/test_every_page.py.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from tests.factories import ConsultationFactory, QuestionFactory, ResponseFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """Password tries and link limits count in the cache; each test counts alone."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


# --- Getting to each page ---------------------------------------------------------------------


def person(username: str = "reader", **extra):
    user = UserFactory(username=username, email=f"{username}@example.org", **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(page: Page, email: str = "reader@example.org") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")


def someone_elses_draft():
    """A draft saved by someone else, whose emailed link this browser opens."""
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    QuestionFactory(
        section=SectionFactory(consultation=consultation, title="Funding", order=1), text="What should change?"
    )
    return ResponseFactory(
        consultation=consultation, status="draft", email="amy@example.org", submitted_at=None, pages_done=1
    )


def open_delete(page: Page) -> None:
    person()
    sign_in(page)
    page.goto("/account/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")


def open_not_yours(page: Page) -> None:
    draft = someone_elses_draft()
    response = page.goto(draft.get_absolute_url())
    assert response is not None and response.status == 403
    expect(page.get_by_text("This response was saved by")).to_be_visible()


def open_claim_sent(page: Page) -> None:
    open_not_yours(page)
    page.get_by_role("button", name="Email me a link to continue here").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


# --- Keyboard ---------------------------------------------------------------------------------


def tab_to(page: Page) -> dict:
    """Press Tab once and describe what took focus, with whether a focus indicator is drawn."""
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          const style = getComputedStyle(element);
          const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
          const ringed = style.boxShadow && style.boxShadow !== "none";
          return {
            tag: element.tagName.toLowerCase(),
            type: element.type || "",
            name: element.name || "",
            text: (element.innerText || element.value || "").trim(),
            visible: outlined || ringed,
          };
        }"""
    )


def test_the_delete_account_form_works_by_keyboard(page):
    open_delete(page)
    page.locator("h1").click()  # Start tabbing from the heading, as a reader who has just read it.

    download = tab_to(page)
    assert download["tag"] == "a" and download["text"] == "Download your data first" and download["visible"]
    password = tab_to(page)
    assert password["name"] == "password" and password["visible"], password
    page.keyboard.type("not the password")
    confirm = tab_to(page)
    assert confirm["name"] == "confirm" and confirm["visible"]
    page.keyboard.press("Space")
    expect(page.get_by_label(re.compile("I understand"))).to_be_checked()
    button = tab_to(page)
    assert button["tag"] == "button" and button["text"] == "Delete my account" and button["visible"]
    keep = tab_to(page)
    assert keep["tag"] == "a" and keep["text"] == "Keep my account" and keep["visible"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    # A wrong password: the summary takes focus, so it is read out first, and links to the field.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The password is not right")
    link = tab_to(page)
    assert link["tag"] == "a" and link["text"] == "The password is not right" and link["visible"]
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your password")).to_be_focused()

    page.keyboard.type(PASSWORD)
    confirm = tab_to(page)
    assert confirm["name"] == "confirm"
    expect(page.get_by_label(re.compile("I understand"))).to_be_checked()  # The tick was kept.
    tab_to(page)
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_contain_text("Your account is deleted")


def test_the_not_yours_page_works_by_keyboard(page):
    open_not_yours(page)
    page.locator("h1").click()

    start = tab_to(page)
    assert start["tag"] == "button" and start["text"] == "Start my own response" and start["visible"]
    claim = tab_to(page)
    assert claim["tag"] == "button" and claim["text"] == "Email me a link to continue here" and claim["visible"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    open_not_yours_again = page.go_back()
    assert open_not_yours_again is not None
    page.locator("h1").click()
    tab_to(page)
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/consultations/clusters/respond/1/$"))


# --- Without JavaScript -----------------------------------------------------------------------


def test_the_delete_account_form_works_without_javascript(no_script_page):
    page = no_script_page
    open_delete(page)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter your password")
    expect(page.locator("[data-error-summary]")).to_contain_text("Tick the box")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".message")).to_contain_text("Your account is deleted")
    assert not EmailAddress.objects.filter(email="reader@example.org").exists()


def test_the_not_yours_page_works_without_javascript(no_script_page):
    page = no_script_page
    open_claim_sent(page)
    expect(page.get_by_text("a***@example.org")).to_be_visible()

    page.go_back()
    page.get_by_role("button", name="Start my own response").click()
    expect(page).to_have_url(re.compile(r"/consultations/clusters/respond/1/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
