import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils.functional import empty

from accounts.roles import EDITORS, MODERATORS
from consultations.models import attachment_files
from tests.factories import UserFactory


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
