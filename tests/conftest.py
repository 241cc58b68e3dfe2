import os
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils.functional import empty

from accounts.roles import EDITORS, MODERATORS
from consultations.models import attachment_files
from tests.factories import UserFactory
from tests.smtp_sink import Sink, running_sink

# --- Running in parallel (pytest-xdist, `make test`) ---------------------------------------------
#
# Each worker gets its own test database (pytest-django adds the worker's suffix to its name) and
# its own Redis database: the one REDIS_URL names plus the worker's number, so a test that empties
# the cache or a Celery queue empties only its own worker's. Tests that share something no suffix
# separates run in one xdist group, on one worker, one after another (`--dist loadgroup`): the
# tests of .ci/prepare-services, which use Redis databases 3 and 4 by number; and the real-browser
# tests, in two groups that take about as long as each other, so that two workers each drive their
# own browser against their own live server and database. A module stays whole in its group, as its
# content is loaded once per module. (pytest-xdist 3.8 does not see marks added here: the browser
# tests are in fact spread test by test; docs/accessibility.md.) The first group: every page's axe-core check, the staff
# screens, the newsletter admin and the Content-Security-Policy checks; the second: the public
# journeys and the account pages (each about 400 s of test time on a busy 2-core machine).

BROWSER_PAGES_GROUP = "browser-pages"
BROWSER_JOURNEYS_GROUP = "browser-journeys"
BROWSER_PAGES_MODULES = frozenset(
    {
        "test_every_page.py",
        "test_staff_pages_accessibility.py",
        "test_trust_pages_accessibility.py",
        "test_newsletter_admin.py",
        "test_csp.py",
    }
)
REDIS_DATABASES = 16
REDIS_URL_GIVEN = os.environ.get("REDIS_URL", "")  # before a worker moves it on


def worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def worker_redis_url(url: str, worker: int) -> str:
    """REDIS_URL's database moved on by the worker's number: gw0 keeps it, gw1 takes the next one."""
    parsed = urlparse(url)
    database = int(parsed.path.lstrip("/") or 0) + worker
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL {url} leaves no Redis database for test worker gw{worker}: "
            "name a lower one, or run fewer workers."
        )
    return parsed._replace(path=f"/{database}").geturl()


def pytest_configure(config: pytest.Config) -> None:
    worker = worker_number()
    if worker is None:
        return
    from django.conf import settings
    from django.test import override_settings

    if not settings.REDIS_URL:
        return
    shared, own = settings.REDIS_URL, worker_redis_url(settings.REDIS_URL, worker)
    caches = {
        alias: {**cache, "LOCATION": own} if cache.get("LOCATION") == shared else cache
        for alias, cache in settings.CACHES.items()
    }
    broker: str = settings.CELERY_BROKER_URL
    if broker == shared:  # a broker of its own (CELERY_BROKER_URL) is left as it is
        broker = own
    # Settings for the whole run of this worker process; never disabled.
    override_settings(REDIS_URL=own, CACHES=caches, CELERY_BROKER_URL=broker).enable()
    os.environ["REDIS_URL"] = own  # for the subprocesses tests start (manage.py, Celery workers)
    from config.celery import app

    app.conf.broker_url = broker


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group(browser_group(item)))


def browser_group(item: pytest.Item) -> str:
    pages = item.path.name in BROWSER_PAGES_MODULES
    return BROWSER_PAGES_GROUP if pages else BROWSER_JOURNEYS_GROUP


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Attached files too, in a private folder beside the media, as in production.
    private = settings.STORAGES["consultation_attachments"]
    options = {**private["OPTIONS"], "location": tmp_path / "private"}
    settings.STORAGES = {**settings.STORAGES, "consultation_attachments": {**private, "OPTIONS": options}}
    attachment_files._wrapped = empty
    yield
    attachment_files._wrapped = empty


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """MD5 instead of a million PBKDF2 rounds: every user a factory makes hashes a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _staff_groups(request) -> None:
    """The staff groups, made again when a committing test's flush emptied what the migrations created.

    Tests that commit (live server, real workers) end with a flush of every table; the groups are
    data the migrations wrote, so the next test that needs a role would find none.
    """
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from django.contrib.auth.models import Group

    from accounts.roles import EDITORS, sync_groups

    if not Group.objects.filter(name=EDITORS).exists():
        sync_groups()


@pytest.fixture(autouse=True)
def _no_pages_cached_by_earlier_tests() -> None:
    """A page cached whole (core/page_cache.py) was rendered from another test's rows."""
    from core.page_cache import forget_all_pages

    forget_all_pages()


@pytest.fixture(autouse=True)
def _no_marking_connection_left():
    """A test that sent mail on PostgreSQL leaves no session behind to block the test database's drop."""
    from notifications.sent_marks import close_marking_connection

    yield
    close_marking_connection()


@pytest.fixture
def fresh_cache():
    """Rate-limit counters and other cached values from earlier tests forgotten, before and after."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def stakeholder(db):
    return UserFactory(username="stakeholder")


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", is_staff=True, groups=[EDITORS])


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", is_staff=True, groups=[MODERATORS])


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for():
    """A test client signed in as the given user (or anonymous for None)."""

    def make(user) -> Client:
        client = Client()
        if user is not None and user.is_authenticated:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Run Celery tasks in-process, even where REDIS_URL is set (as in CI), except in integration tests.

    Emails queued in ``on_commit`` then land in ``django.core.mail.outbox`` once the
    test runs the callbacks (``django_capture_on_commit_callbacks(execute=True)``).
    """
    from config.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _fresh_content_type_cache(request) -> None:
    """Forget cached content types before a test that commits, such as a browser test.

    A content type cached inside another test's rolled-back transaction, or before a
    flush gave the rows new ids, would otherwise point rows at an id that is gone.
    """
    marker = request.node.get_closest_marker("django_db")
    if (marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames:
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@pytest.fixture
def smtp_sink() -> Iterator[Sink]:
    """An SMTP server in this process that keeps every message it accepts."""
    with running_sink() as sink:
        yield sink
