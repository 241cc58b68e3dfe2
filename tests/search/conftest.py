from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, demo_media) -> None:
    """Every test of a module reads the demo's images from the module's media folder."""
    settings.MEDIA_ROOT = demo_media


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker, demo_media) -> Iterator[None]:
    """The demo content, loaded once for a module of read-only tests and flushed after it."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media):
        call_command("load_demo_content", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.fixture
def demo(demo_once, db) -> None:
    """The demo content: analyses (one draft, one scheduled), webinars, consultations and an outcome."""


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()
