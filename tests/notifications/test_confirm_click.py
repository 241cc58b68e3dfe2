"""Confirming a subscription takes a click: the emailed link asks, the button confirms.

Mail scanners open every link in a message; a link that confirmed on GET would let
them (or a stranger who typed in someone's work address) complete the double opt-in.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import tokens
from notifications.models import Subscriber, Suppression
from notifications.views import masked
from tests.factories import SubscriberFactory, TopicFactory

pytestmark = pytest.mark.django_db

EMAIL = "reader@example.org"


def confirm_url(token: str) -> str:
    return reverse("notifications:confirm", kwargs={"token": token})


def state() -> tuple:
    """Everything a confirmation would change, to compare before and after."""
    subscribers = list(Subscriber.objects.values_list("email", "confirmed_at", "unsubscribed_at", "updated_at"))
    return subscribers, list(Suppression.objects.values_list("email", "reason"))


def csrf_token_in(response) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    assert found, "The page has no CSRF token in its form."
    return found.group(1).decode()


@pytest.fixture
def back_after_leaving():
    """Left last week, asked again today: unconfirmed, still suppressed, with a fresh link."""
    SubscriberFactory(
        email=EMAIL,
        all_analyses=False,
        webinars=True,
        topics=[TopicFactory(name="Screening")],
        confirmed_at=timezone.now() - timedelta(days=30),
        unsubscribed_at=timezone.now() - timedelta(days=7),
    )
    Suppression.objects.create(email=EMAIL, reason=Suppression.Reason.UNSUBSCRIBED)
    return tokens.make(tokens.CONFIRM, EMAIL)


def test_it_asks_on_a_get_and_changes_nothing(back_after_leaving):
    before = state()

    response = Client().get(confirm_url(back_after_leaving))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Confirm your subscription</h1>" in page
    assert "<strong>r***@example.org</strong>" in page
    assert EMAIL not in page
    assert "New analyses about Screening; new webinars, as they are published." in page
    assert '<form method="post">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<button type="submit">Confirm subscription</button>' in page
    assert '<meta name="robots" content="noindex">' in page
    assert state() == before


def test_opening_the_link_many_times_changes_nothing(back_after_leaving):
    before = state()
    scanner = Client()

    for _ in range(3):
        assert scanner.get(confirm_url(back_after_leaving)).status_code == 200
        # As on the other signed-link pages, only GET and POST are answered.
        assert scanner.head(confirm_url(back_after_leaving)).status_code == 405

    assert state() == before
    assert not Subscriber.objects.get().is_confirmed


def test_the_button_confirms_and_leads_to_the_confirmed_page(back_after_leaving):
    browser = Client(enforce_csrf_checks=True)
    url = confirm_url(back_after_leaving)
    csrf = csrf_token_in(browser.get(url))

    response = browser.post(url, {"csrfmiddlewaretoken": csrf})

    assert response.status_code == 302
    assert response["Location"] == url
    subscriber = Subscriber.objects.get()
    assert subscriber.is_confirmed
    assert subscriber.confirmed_at > timezone.now() - timedelta(minutes=1)
    assert not Suppression.objects.exists()
    page = browser.get(url)
    assert page.status_code == 200
    assert b"You're subscribed" in page.content
    assert b"/notifications/preferences/" in page.content
    assert b"Confirm subscription" not in page.content


def test_a_post_without_the_pages_csrf_token_is_refused(back_after_leaving):
    before = state()

    response = Client(enforce_csrf_checks=True).post(confirm_url(back_after_leaving))

    assert response.status_code == 403
    assert state() == before


def test_an_address_already_confirmed_sees_the_confirmed_page_without_a_button():
    SubscriberFactory(email=EMAIL, confirmed_at=timezone.now() - timedelta(days=3))
    token = tokens.make(tokens.CONFIRM, EMAIL)
    before = state()

    response = Client().get(confirm_url(token))

    assert response.status_code == 200
    assert b"You're subscribed" in response.content
    assert b"/notifications/preferences/" in response.content
    assert b"Confirm subscription" not in response.content
    assert b'method="post"' not in response.content
    assert state() == before


def test_pressing_the_button_twice_confirms_once(back_after_leaving):
    client = Client()
    client.post(confirm_url(back_after_leaving))
    first = Subscriber.objects.get().confirmed_at

    response = client.post(confirm_url(back_after_leaving))

    assert response.status_code == 302
    assert Subscriber.objects.get().confirmed_at == first


def tampered() -> str:
    token = tokens.make(tokens.CONFIRM, EMAIL)
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def expired() -> str:
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        return tokens.make(tokens.CONFIRM, EMAIL)


def signed_before_leaving() -> str:
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        token = tokens.make(tokens.CONFIRM, EMAIL)
    Subscriber.objects.filter(email=EMAIL).update(unsubscribed_at=timezone.now() - timedelta(days=1))
    return token


def for_an_address_that_is_gone() -> str:
    Subscriber.objects.filter(email=EMAIL).delete()
    return tokens.make(tokens.CONFIRM, EMAIL)


def for_another_purpose() -> str:
    return tokens.make(tokens.PREFERENCES, EMAIL)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("make_token", "heading"),
    [
        (tampered, b"This link doesn't work"),
        (for_another_purpose, b"This link doesn't work"),
        ("not-a-token", b"This link doesn't work"),
        (expired, b"This link has expired"),
        (signed_before_leaving, b"This link has expired"),
        (for_an_address_that_is_gone, b"This link has expired"),
    ],
)
def test_a_link_that_cannot_confirm_explains_why_on_get_and_post(method, make_token, heading):
    SubscriberFactory(email=EMAIL, confirmed_at=None)
    token = make_token() if callable(make_token) else make_token
    before = state()

    response = getattr(Client(), method)(confirm_url(token))

    assert response.status_code == 400
    assert heading in response.content
    assert reverse("notifications:subscribe").encode() in response.content
    assert b"Confirm subscription" not in response.content
    assert state() == before


def test_other_methods_are_not_allowed(back_after_leaving):
    response = Client().put(confirm_url(back_after_leaving))

    assert response.status_code == 405
    assert not Subscriber.objects.get().is_confirmed


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("reader@example.org", "r***@example.org"),
        ("j@example.org", "j***@example.org"),
        ("first.last+news@sub.example.co.uk", "f***@sub.example.co.uk"),
    ],
)
def test_the_address_is_shown_masked(email, shown):
    assert masked(email) == shown
