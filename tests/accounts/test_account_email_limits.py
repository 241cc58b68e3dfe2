"""The account emails a stranger can cause to an address they type are limited per address, not
only per client: password resets, and sign-ups with someone's address (verification, or "you
already have an account")."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
PASSWORD = "a long unusual passphrase"
START = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture(autouse=True)
def _own_cache(settings, request) -> None:
    # allauth counts in the cache: a private one, so no other test's counts (or Redis in CI) leak in.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


def client_address(number: int) -> str:
    return f"203.0.113.{number + 1}"


def test_password_resets_for_one_address_from_many_clients_send_it_at_most_three_an_hour():
    UserFactory(email=VICTIM)
    for number in range(12):
        # A minute apart, past the per-minute limit, each from its own client address.
        with time_machine.travel(START + timedelta(minutes=number * 1.5), tick=False):
            response = Client(REMOTE_ADDR=client_address(number)).post("/accounts/password/reset/", {"email": VICTIM})
        # allauth says "too many requests" past the per-address limit, for a known and an unknown address alike.
        assert response.status_code in (302, 429)

    assert len([message for message in mail.outbox if VICTIM in message.to]) == 3


def test_password_resets_for_an_unknown_address_are_limited_the_same_way():
    for number in range(12):
        with time_machine.travel(START + timedelta(minutes=number * 1.5), tick=False):
            Client(REMOTE_ADDR=client_address(number)).post("/accounts/password/reset/", {"email": VICTIM})

    assert len([message for message in mail.outbox if VICTIM in message.to]) == 3


def test_sign_ups_with_someone_elses_address_send_it_at_most_three_emails_an_hour():
    UserFactory(email=VICTIM)
    for number in range(12):
        with time_machine.travel(START + timedelta(minutes=number * 4), tick=False):
            Client(REMOTE_ADDR=client_address(number)).post(
                "/accounts/signup/", {"email": VICTIM, "password1": PASSWORD, "password2": PASSWORD}
            )

    assert len([message for message in mail.outbox if VICTIM in message.to]) == 3
