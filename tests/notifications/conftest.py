import pytest

from tests.notifications.backends import FailingBackend


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Throttles and the send-rate window live in the cache; each test starts with none."""


@pytest.fixture
def failing(settings, monkeypatch):
    """Sending through FailingBackend, which fails nothing until a test says what and for whom."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    monkeypatch.setattr(FailingBackend, "error", None)
    monkeypatch.setattr(FailingBackend, "recipients", frozenset())
    monkeypatch.setattr(FailingBackend, "fail_on_open", False)
    return FailingBackend
