"""The sign-in, sign-up, password and email pages (django-allauth's views in the site's templates) pass
axe-core at WCAG 2.2 AA at 1280 and 320 px, fit a 320 px screen, and speak the site's language.

Each page is reached as a person would reach it: by its link, by submitting a form, or by the link in
the email allauth sends.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_no_axe_violations, require_axe
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = [1280, 320]


@pytest.fixture(autouse=True)
def _axe():
    require_axe()


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """Sign-in tries and email limits count in the cache; each test counts alone."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


def person(email: str = "reader@example.org"):
    user = UserFactory(username=email.split("@")[0], email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(page: Page) -> None:
    person()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def open_sign_in(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def open_sign_in_error(page: Page) -> None:
    person()
    open_sign_in(page)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_sign_up(page: Page) -> None:
    open_sign_in(page)
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")


def open_sign_up_error(page: Page) -> None:
    open_sign_up(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_verification_sent(page: Page) -> None:
    open_sign_up(page)
    page.get_by_label("Email address").fill("new@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def open_confirm_email(page: Page) -> None:
    open_verification_sent(page)
    page.goto(emailed_link(r"/accounts/confirm-email/[^\s]+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")


def open_password_reset(page: Page) -> None:
    open_sign_in(page)
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")


def open_password_reset_done(page: Page) -> None:
    person()
    open_password_reset(page)
    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def open_password_reset_from_key(page: Page) -> None:
    open_password_reset_done(page)
    page.goto(emailed_link(r"/accounts/password/reset/key/[^\s]+/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")


def open_password_reset_from_key_error(page: Page) -> None:
    open_password_reset_from_key(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_password_change(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")


def open_password_change_error(page: Page) -> None:
    open_password_change(page)
    page.get_by_label("Current password").fill("not the password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_email(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Email addresses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email addresses")


def open_email_error(page: Page) -> None:
    open_email(page)
    page.get_by_role("button", name="Add email address").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_account(page: Page) -> None:
    sign_in(page)


def open_sign_out(page: Page) -> None:
    sign_in(page)
    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")


def emailed_link(pattern: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(pattern, body)
    assert match, body
    return match.group(0)


@dataclass(frozen=True)
class Visit:
    name: str
    open: Callable[[Page], None]


PAGES = [
    Visit("sign in", open_sign_in),
    Visit("sign in, wrong password", open_sign_in_error),
    Visit("sign up", open_sign_up),
    Visit("sign up, nothing typed", open_sign_up_error),
    Visit("sign up, check your email", open_verification_sent),
    Visit("confirm email address", open_confirm_email),
    Visit("password reset", open_password_reset),
    Visit("password reset, check your email", open_password_reset_done),
    Visit("password reset, new password", open_password_reset_from_key),
    Visit("password reset, new password missing", open_password_reset_from_key_error),
    Visit("password change", open_password_change),
    Visit("password change, wrong password", open_password_change_error),
    Visit("email addresses", open_email),
    Visit("email addresses, nothing typed", open_email_error),
    Visit("account page", open_account),
    Visit("sign out", open_sign_out),
]


@pytest.mark.parametrize("visit", PAGES, ids=lambda visit: visit.name)
def test_the_account_page_passes_axe_core_at_1280_and_320_px(page, visit):
    visit.open(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_load_state("networkidle")
        assert_no_axe_violations(page, f"{visit.name} at {width} px")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{visit.name} scrolls sideways at {width} px: {scroll_width} px wide"
