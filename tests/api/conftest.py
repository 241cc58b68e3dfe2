import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PERSONAS = ["anonymous", "stakeholder", "moderator", "editor"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings, request):
    """Throttle counters live in the cache: each test gets an empty one of its own.

    A private in-memory cache rather than clearing the shared one, which in CI is a Redis
    database other tests and the Celery broker use too.
    """
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(request):
    """An API client authenticated by token as the named persona ("anonymous" for none)."""

    def make(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            user = request.getfixturevalue(persona)
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
