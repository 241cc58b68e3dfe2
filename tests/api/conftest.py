import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PERSONAS = ["anonymous", "stakeholder", "moderator", "editor"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


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
