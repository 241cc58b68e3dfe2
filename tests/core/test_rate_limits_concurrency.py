"""Rate limits hold when many clients arrive at once: exactly the limit gets through, never more.

Against the real Redis every worker shares in production. Eight threads start together
and send four times the limit between them.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core.throttle import hourly_limit_reached
from tests.services import require_redis

CLIENTS = 8
LIMIT = 30
ATTEMPTS = LIMIT * 4


class Ping(APIView):
    """An endpoint with the site's default throttles and nothing else, so threads need no database."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        return Response({})


@pytest.fixture
def shared_redis_cache(settings):
    """The real Redis, under a key prefix of this test's own so no earlier count carries over."""
    url = require_redis()
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": url, "KEY_PREFIX": f"concurrency-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def api_limit_of_thirty(settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": f"{LIMIT}/hour", "user": f"{LIMIT}/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def in_parallel(attempt: Callable[[], object]) -> Counter:
    """Run ``attempt`` ATTEMPTS times across CLIENTS threads that start together; count the outcomes."""
    start = threading.Barrier(CLIENTS)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def client() -> None:
        start.wait()
        for _ in range(ATTEMPTS // CLIENTS):
            outcome = attempt()
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(outcomes.values()) == ATTEMPTS
    return outcomes


@pytest.mark.usefixtures("shared_redis_cache", "api_limit_of_thirty")
def test_it_lets_exactly_the_anonymous_api_limit_through_eight_parallel_clients():
    view = Ping.as_view()

    def attempt() -> int:
        return view(APIRequestFactory().get("/ping/", REMOTE_ADDR="198.51.100.30")).status_code

    outcomes = in_parallel(attempt)

    assert outcomes == {200: LIMIT, 429: ATTEMPTS - LIMIT}


@pytest.mark.usefixtures("shared_redis_cache", "api_limit_of_thirty")
def test_it_lets_exactly_the_signed_in_api_limit_through_eight_parallel_clients():
    view = Ping.as_view()
    user = get_user_model()(pk=987_654, username="hammer")

    def attempt() -> int:
        request = APIRequestFactory().get("/ping/", REMOTE_ADDR="198.51.100.31")
        force_authenticate(request, user=user)
        return view(request).status_code

    outcomes = in_parallel(attempt)

    assert outcomes == {200: LIMIT, 429: ATTEMPTS - LIMIT}


@pytest.mark.usefixtures("shared_redis_cache")
def test_it_lets_exactly_the_form_limit_through_eight_parallel_clients():
    def attempt() -> bool:
        return hourly_limit_reached(RequestFactory().post("/", REMOTE_ADDR="198.51.100.32"), "hammer", LIMIT)

    outcomes = in_parallel(attempt)

    assert outcomes == {False: LIMIT, True: ATTEMPTS - LIMIT}
