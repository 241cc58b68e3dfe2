"""`make test` runs on several pytest-xdist workers: each has its own Redis database, and the tests
that must share one process (each group of browser tests, the fixed Redis databases) keep to one worker."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from tests.conftest import (
    BROWSER_JOURNEYS_GROUP,
    BROWSER_PAGES_GROUP,
    BROWSER_PAGES_MODULES,
    REDIS_URL_GIVEN,
    pytest_collection_modifyitems,
    worker_number,
    worker_redis_url,
)
from tests.services import missing


def test_each_worker_moves_the_redis_database_on_by_its_number():
    assert worker_redis_url("redis://127.0.0.1:6379/5", 0) == "redis://127.0.0.1:6379/5"
    assert worker_redis_url("redis://127.0.0.1:6379/5", 1) == "redis://127.0.0.1:6379/6"
    assert worker_redis_url("redis://:secret@cache:6380", 2) == "redis://:secret@cache:6380/2"


def test_it_refuses_a_worker_past_the_last_redis_database():
    with pytest.raises(pytest.UsageError, match="gw4"):
        worker_redis_url("redis://127.0.0.1:6379/12", 4)


def test_this_worker_uses_its_own_redis_database_for_the_cache_the_broker_and_subprocesses():
    if not REDIS_URL_GIVEN:
        missing("needs REDIS_URL: without it the cache is each process's memory and Celery runs in-process")
    own = worker_redis_url(REDIS_URL_GIVEN, worker_number() or 0)

    assert own == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == own
    assert os.environ["REDIS_URL"] == own
    assert app.conf.broker_url == own


class Item:
    """As much of a collected test as the grouping hook reads."""

    def __init__(self, *markers: str, module: str = "test_module.py") -> None:
        self.markers = [getattr(pytest.mark, name) for name in markers]
        self.path = Path("tests/e2e") / module

    def get_closest_marker(self, name: str):
        return next((marker for marker in self.markers if marker.name == name), None)

    def add_marker(self, marker) -> None:
        self.markers.append(marker)


def test_the_browser_tests_are_grouped_in_two_by_module_and_the_rest_spread():
    pages, journey, other = Item("e2e", module="test_every_page.py"), Item("e2e", module="test_comments.py"), Item()

    pytest_collection_modifyitems(None, [pages, journey, other])  # type: ignore[arg-type]

    assert [item.get_closest_marker("xdist_group").args for item in (pages, journey)] == [
        (BROWSER_PAGES_GROUP,),
        (BROWSER_JOURNEYS_GROUP,),
    ]
    assert other.get_closest_marker("xdist_group") is None


def test_every_module_named_in_the_pages_group_exists():
    folder = Path(__file__).resolve().parents[1] / "e2e"
    assert all((folder / module).exists() for module in BROWSER_PAGES_MODULES)
