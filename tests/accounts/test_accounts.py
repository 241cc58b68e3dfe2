import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long unusual passphrase"


def test_sign_up_requires_email_verification_then_logs_in_by_email(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert client.get("/account/").status_code == 302  # not signed in before confirming
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    assert client.post(path).status_code == 302
    client.logout()
    login = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/confirm-email/"]
)
def test_account_pages_use_the_site_layout(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"Skip to main content" in response.content
    assert b'<main id="main"' in response.content


def test_password_reset_emails_a_link(client):
    UserFactory(email="known@example.org")
    client.post("/accounts/password/reset/", {"email": "known@example.org"})
    assert [m.to for m in mail.outbox] == [["known@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_account_page_needs_sign_in(client):
    assert client.get("/account/").status_code == 302
