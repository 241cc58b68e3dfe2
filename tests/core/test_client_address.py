"""One client address for every limit, ban and hash: right behind the proxy, never chosen by the client."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import Client, RequestFactory
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from core.client_address import client_address
from core.throttle import hourly_limit_reached
from tests.factories import UserFactory

PROXY = "10.0.0.5"
CDN = "192.0.2.80"
ALICE = "203.0.113.10"
BOB = "203.0.113.20"
FORGED = "198.51.100.99"


def request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 1, []


@pytest.fixture
def named_proxies(settings):
    """A CDN in front of the site's own proxy, both named by address (the CDN by its network)."""
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = ["192.0.2.0/24", PROXY], 2


@pytest.fixture(autouse=True)
def _fresh_cache(settings, request) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


def test_it_is_the_peer_and_ignores_forwarded_for_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 0, []

    assert client_address(request(ALICE, FORGED)) == ALICE


@pytest.mark.usefixtures("one_proxy")
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (ALICE, ALICE),
        (f"{FORGED}, {ALICE}", ALICE),
        (f"{FORGED}, {BOB}, {ALICE}", ALICE),
        (f"not-an-address, {ALICE}", ALICE),
        (f"[2001:db8::7]:4711, {ALICE}", ALICE),
        ("2001:db8::9", "2001:db8::9"),
    ],
)
def test_it_is_the_entry_the_trusted_proxy_appended(forwarded, expected):
    assert client_address(request(PROXY, forwarded)) == expected


@pytest.mark.usefixtures("one_proxy")
def test_it_is_the_peer_when_a_request_bypasses_the_proxy_without_the_header():
    assert client_address(request(ALICE)) == ALICE


@pytest.mark.usefixtures("named_proxies")
def test_it_counts_back_through_named_proxies():
    assert client_address(request(PROXY, f"{FORGED}, {ALICE}, {CDN}")) == ALICE


@pytest.mark.usefixtures("named_proxies")
@pytest.mark.parametrize(
    ("remote", "forwarded"),
    [(ALICE, f"{FORGED}, {CDN}"), (PROXY, f"{FORGED}, {ALICE}")],
    ids=["peer-is-not-the-proxy", "hop-is-not-the-cdn"],
)
def test_a_chain_that_did_not_come_through_the_named_proxies_is_not_believed(remote, forwarded):
    assert client_address(request(remote, forwarded)) == remote


def test_behind_tls_proxy_alone_means_one_proxy(settings):
    from tests.config.test_settings import PRODUCTION, run_manage

    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)",
        BEHIND_TLS_PROXY="true",
        **PRODUCTION,
    )

    assert result.stdout.strip() == "1", result.stderr


def test_a_trusted_proxy_that_is_not_an_address_stops_the_site_from_starting():
    from tests.config.test_settings import PRODUCTION, run_manage

    result = run_manage("check", TRUSTED_PROXIES="10.0.0.5,proxy.internal", **PRODUCTION)

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


@pytest.mark.usefixtures("one_proxy")
def test_the_form_limit_counts_each_client_behind_the_proxy_apart():
    for _ in range(3):
        assert not hourly_limit_reached(request(PROXY, ALICE), "subscribe", 3)

    assert hourly_limit_reached(request(PROXY, f"{BOB}, {ALICE}"), "subscribe", 3)
    assert not hourly_limit_reached(request(PROXY, BOB), "subscribe", 3)


@pytest.mark.usefixtures("one_proxy")
@pytest.mark.django_db
def test_the_api_limit_counts_each_client_behind_the_proxy_apart(settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = APIClient(REMOTE_ADDR=PROXY)
    for _ in range(2):
        assert api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=ALICE).status_code == 200

    forged = api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=f"{BOB}, {ALICE}")
    bob = api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=BOB)

    assert forged.status_code == 429
    assert 0 < int(forged.headers["Retry-After"]) <= 60
    assert bob.status_code == 200


@pytest.mark.usefixtures("one_proxy")
def test_allauth_counts_the_same_client_address():
    assert get_adapter().get_client_ip(request(PROXY, f"{FORGED}, {ALICE}")) == ALICE


@pytest.mark.usefixtures("one_proxy")
@pytest.mark.django_db
def test_failed_sign_ins_lock_out_one_client_behind_the_proxy_not_everyone(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/ip"}
    UserFactory(email="carol@example.org", password="right-password-123")
    site = Client(REMOTE_ADDR=PROXY)

    def sign_in(address: str, password: str, forwarded: str | None = None):
        data = {"login": "carol@example.org", "password": password}
        return site.post("/accounts/login/", data, HTTP_X_FORWARDED_FOR=forwarded or address)

    for _ in range(3):
        assert sign_in(ALICE, "wrong").status_code == 200

    refused = sign_in(ALICE, "wrong-again", forwarded=f"{BOB}, {ALICE}")
    assert "Too many failed login attempts" in refused.content.decode()
    assert sign_in(BOB, "right-password-123").status_code == 302
