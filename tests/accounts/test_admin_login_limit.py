"""The admin's sign-in counts failed passwords against the site's own login limit
(ACCOUNT_RATE_LIMITS "login_failed": 5 per 5 minutes per client address and per login)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """The limit's counters live in the cache: each test counts from nothing."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def staffer(db):
    return UserFactory(username="staffer", email="staffer@example.org", is_staff=True, is_superuser=True)


def sign_in(client, password: str, address: str = "198.51.100.7"):
    return client.post(ADMIN_LOGIN, {"username": "staffer", "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_signs_in_with_the_right_password(client, staffer):
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_it_refuses_the_right_password_after_six_wrong_ones_until_the_window_passes(client, staffer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            assert sign_in(client, "a wrong guess").status_code == 200

        refused = sign_in(client, PASSWORD)

        assert refused.status_code == 200
        assert "Too many failed login attempts" in refused.content.decode()
        assert not signed_in(client)

    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert sign_in(client, PASSWORD).status_code == 302
        assert signed_in(client)


def test_changing_the_client_address_does_not_reset_the_count_for_the_login(client, staffer):
    for number in range(6):
        sign_in(client, "a wrong guess", address=f"203.0.113.{number}")

    refused = sign_in(client, PASSWORD, address="192.0.2.200")

    assert "Too many failed login attempts" in refused.content.decode()
    assert not signed_in(client)


def test_failures_on_the_sites_login_page_count_at_the_admins(client, staffer):
    """One limit: guesses spread over both sign-in pages from one address are counted together."""
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"login": "someone@example.org", "password": "a wrong guess"},
            REMOTE_ADDR="198.51.100.7",
        )

    refused = sign_in(client, PASSWORD)

    assert "Too many failed login attempts" in refused.content.decode()
    assert not signed_in(client)


def test_a_signed_in_user_without_staff_status_is_still_refused(client):
    UserFactory(username="staffer", is_staff=False)

    response = sign_in(client, PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
