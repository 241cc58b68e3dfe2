"""The sign-in, sign-up, password and email pages speak the site's language and follow the questionnaire's
error pattern: a summary at the top linking to each box, a specific message, the typed text kept."""

import re

import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PAGES = {
    "/accounts/login/": "Sign in",
    "/accounts/signup/": "Create an account",
    "/accounts/password/reset/": "Reset your password",
    "/accounts/password/reset/done/": "Check your email",
}
SIGNED_IN_PAGES = {
    "/accounts/password/change/": "Change your password",
    "/accounts/email/": "Email addresses",
    "/accounts/logout/": "Sign out",
}
# allauth's own wording and layout, which the site's pages replace.
STOCK = ["Sign In", "Sign Up", "Sign Out", "Remember Me", "Menu:", "E-mail", "Forgot Password", "Change Password"]


@pytest.fixture
def reader(fresh_cache):
    user = UserFactory(username="reader", email="reader@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def summary(html: str) -> list[tuple[str, str]]:
    block = re.search(r"<div class=\"error-summary\".*?</div>", html, re.S)
    assert block, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block.group(0))


def h1(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match
    return match.group(1).strip()


def assert_site_wording(html: str) -> None:
    for words in STOCK:
        assert words not in html, words
    assert "placeholder=" not in html
    assert not re.search(r":\s*</label>", html), "a label ends in a colon"
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html


@pytest.mark.parametrize(("url", "heading"), PAGES.items())
def test_it_shows_the_page_in_the_sites_design_and_words(url, heading, client):
    html = client.get(url).content.decode()
    assert h1(html) == heading
    assert_site_wording(html)


@pytest.mark.parametrize(("url", "heading"), SIGNED_IN_PAGES.items())
def test_it_shows_the_signed_in_pages_in_the_sites_design_and_words(url, heading, client, reader):
    client.force_login(reader)
    html = client.get(url).content.decode()
    assert h1(html) == heading
    assert_site_wording(html)


def test_an_empty_sign_in_says_what_is_missing_and_links_each_box(client, fresh_cache):
    html = client.post("/accounts/login/", {}).content.decode()

    assert summary(html) == [("id_login", "Enter your email address"), ("id_password", "Enter your password")]
    assert "<title>Error: Sign in" in html
    assert re.search(r'<input[^>]*aria-describedby="id_login_error"[^>]*aria-invalid="true"', html) or re.search(
        r'<input[^>]*aria-invalid="true"[^>]*aria-describedby="id_login_error"', html
    )


def test_a_wrong_password_keeps_the_address_and_links_to_the_first_box(client, reader):
    html = client.post("/accounts/login/", {"login": "reader@example.org", "password": "nope"}).content.decode()

    assert summary(html) == [("id_login", "The email address or the password is not right")]
    assert 'value="reader@example.org"' in html
    assert 'value="nope"' not in html  # A password is never shown again.


def test_the_right_password_signs_in(client, reader):
    response = client.post("/accounts/login/", {"login": "reader@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"


def test_an_empty_sign_up_says_what_is_missing(client, fresh_cache):
    html = client.post("/accounts/signup/", {}).content.decode()
    assert summary(html) == [
        ("id_email", "Enter your email address"),
        ("id_password1", "Enter a password"),
        ("id_password2", "Enter the password again"),
    ]
    assert "<title>Error: Create an account" in html


def test_a_reset_for_no_address_says_so(client, fresh_cache):
    html = client.post("/accounts/password/reset/", {}).content.decode()
    assert summary(html) == [("id_email", "Enter the email address of your account")]


def test_a_wrong_current_password_is_named(client, reader):
    client.force_login(reader)
    form = {"oldpassword": "nope", "password1": "A new long passphrase", "password2": "A new long passphrase"}
    html = client.post("/accounts/password/change/", form).content.decode()
    assert summary(html) == [("id_oldpassword", "The current password is not right")]


def test_adding_no_address_says_so_and_lists_the_addresses(client, reader):
    client.force_login(reader)
    html = client.post("/accounts/email/", {"action_add": ""}).content.decode()
    assert summary(html) == [("id_email", "Enter the email address to add")]
    assert "reader@example.org" in html and "main address" in html and "confirmed" in html
