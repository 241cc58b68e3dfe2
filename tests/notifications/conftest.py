import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and the send-rate window live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
