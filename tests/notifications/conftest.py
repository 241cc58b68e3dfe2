import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Throttles and the send-rate window live in the cache; each test starts with none."""
