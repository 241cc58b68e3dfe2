"""The privacy and personal-data pages pass axe-core at WCAG 2.2 AA, work by keyboard and without
JavaScript, and fit a 320 px wide screen (WCAG 1.4.10, reflow).

The pages: the privacy notice, the account page's "Your data" section and the delete-account page
(with its error state), the draft pages someone sees after opening another person's save link, the
400 page, the message a guest sees after posting a comment, and the admin's personal-data pages.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from accounts.roles import sync_groups
from comments.models import Comment
from policies.demo import SEED_SLUG
from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.e2e.conftest import REPORT_VIOLATIONS
from tests.factories import (
    CommentFactory,
    ConsultationFactory,
    QuestionFactory,
    ResponseFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = [1280, 320]


@pytest.fixture(autouse=True)
def _axe():
    require_axe()


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


def sign_in_to_admin(page: Page, username: str = "root") -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()


def someone_elses_draft():
    """A draft saved by someone else, whose emailed link this browser opens."""
    consultation = ConsultationFactory(slug="clusters", title="Supporting research clusters")
    QuestionFactory(
        section=SectionFactory(consultation=consultation, title="Funding", order=1), text="What should change?"
    )
    return ResponseFactory(
        consultation=consultation, status="draft", email="amy@example.org", submitted_at=None, pages_done=1
    )


def open_privacy(page: Page) -> None:
    page.goto("/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")


def open_account_data(page: Page) -> None:
    person()
    sign_in(page)
    page.goto("/account/")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()


def open_delete(page: Page) -> None:
    person()
    sign_in(page)
    page.goto("/account/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")


def open_delete_error(page: Page) -> None:
    open_delete(page)
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_not_yours(page: Page) -> None:
    draft = someone_elses_draft()
    response = page.goto(draft.get_absolute_url())
    assert response is not None and response.status == 403
    expect(page.get_by_text("This response was saved by")).to_be_visible()


def open_claim_sent(page: Page) -> None:
    open_not_yours(page)
    page.get_by_role("button", name="Email me a link to continue here").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def open_broken_proof(page: Page) -> None:
    draft = someone_elses_draft()
    response = page.goto(f"{draft.get_absolute_url()}claim/not-a-proof/")
    assert response is not None and response.status == 400
    expect(page.locator(".message--error")).to_contain_text("This link has expired or is incomplete")


def open_bad_request(page: Page) -> None:
    response = page.goto("/responses/%00/")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Bad request")


def open_comment_posted(page: Page, settings) -> None:
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0
    call_command("load_demo_content", verbosity=0)
    page.goto(f"/analyses/{SEED_SLUG}/")
    form = page.locator("form.comment-form")
    form.get_by_role("textbox", name="Name").fill("Ada Guest")
    form.get_by_role("textbox", name="Email").fill("ada@example.org")
    form.get_by_role("textbox", name="Comment").fill("Clusters need housing and transport too.")
    form.get_by_label("I have read and accept the comment policy").check()
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".message")).to_contain_text("We have emailed you a link")


def admin_with_someone_to_erase(page: Page) -> None:
    sync_groups()
    UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    someone = person("amy")
    CommentFactory(author_email=someone.email, status=Comment.Status.APPROVED)
    sign_in_to_admin(page)


def open_admin_requests(page: Page) -> None:
    admin_with_someone_to_erase(page)
    page.goto("/admin/")
    page.get_by_role("link", name="Personal data requests").click()
    expect(page.get_by_role("link", name="Export someone's data")).to_be_visible()


def open_admin_erase(page: Page) -> None:
    admin_with_someone_to_erase(page)
    page.goto("/admin/accounts/personaldatarequest/erase/")
    expect(page.get_by_label("Email address")).to_be_visible()


def open_admin_export(page: Page) -> None:
    admin_with_someone_to_erase(page)
    page.goto("/admin/accounts/personaldatarequest/")
    page.get_by_role("link", name="Export someone's data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export someone's personal data")


def open_admin_erase_confirm(page: Page) -> None:
    admin_with_someone_to_erase(page)
    page.goto("/admin/accounts/personaldatarequest/")
    page.get_by_role("link", name="Erase someone's data").click()
    page.get_by_label("Email address").fill("amy@example.org")
    page.get_by_role("button", name="Show what would be erased").click()
    expect(page.get_by_role("heading", name=re.compile("Erase the personal data of"))).to_be_visible()


def open_admin_erase_error(page: Page) -> None:
    open_admin_erase_confirm(page)
    page.get_by_role("button", name="Erase the data").click()
    expect(page.get_by_text("Tick the box to confirm the erasure")).to_be_visible()


@dataclass(frozen=True)
class Visit:
    name: str
    open: Callable[..., None]
    takes_settings: bool = False


PAGES = [
    Visit("privacy notice", open_privacy),
    Visit("account page, your data", open_account_data),
    Visit("delete account", open_delete),
    Visit("delete account, wrong password", open_delete_error),
    Visit("someone else's draft", open_not_yours),
    Visit("proof link sent", open_claim_sent),
    Visit("proof link broken", open_broken_proof),
    Visit("400 page", open_bad_request),
    Visit("comment posted by a guest", open_comment_posted, takes_settings=True),
    Visit("admin: personal data requests", open_admin_requests),
    Visit("admin: export personal data", open_admin_export),
    Visit("admin: erase personal data", open_admin_erase),
    Visit("admin: erasure confirmation", open_admin_erase_confirm),
    Visit("admin: erasure not confirmed", open_admin_erase_error),
]


# --- axe-core and reflow ----------------------------------------------------------------------


def test_the_check_finds_violations_on_a_page_that_has_them(page, live_server):
    """A page with an unlabelled field, an image without text and faint text fails the check."""
    page.route(
        "**/a11y-probe/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<html lang="en"><title>Probe</title><main><h1>Probe</h1>'
            '<p style="color: #bbb">Faint</p><img src="/x.png"><input type="text"></main></html>',
        ),
    )
    page.goto(f"{live_server.url}/a11y-probe/")

    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    for rule in ("color-contrast", "image-alt", "label"):
        assert f"- {rule} " in str(failure.value)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda width: f"{width}px")
@pytest.mark.parametrize("visit", PAGES, ids=lambda visit: visit.name)
def test_the_page_passes_axe_core_at_wcag_2_2_aa(page, settings, visit, width):
    page.set_viewport_size({"width": width, "height": 900})
    visit.open(page, settings) if visit.takes_settings else visit.open(page)
    page.wait_for_load_state("networkidle")

    assert_no_axe_violations(page, f"{visit.name} at {width} px")
    if width == 320:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{visit.name} scrolls sideways at 320 px: {scroll_width} px wide"


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


@pytest.fixture
def no_script_page(browser: Browser, live_server, csp_violations):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


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
