"""Redis stopped never means a 500: limits fall back to each process's memory, email waits in the outbox.

A redis-server of the test's own serves as cache and broker; the test stops it, uses every
page and endpoint that counts in the cache, starts it again, and runs the sweeper.
"""

import logging
import re
import time

import pytest
import redis
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from comments.models import Comment
from core.cache import ResilientRedisCache
from notifications.models import Delivery
from notifications.tasks import sweep_deliveries
from tests.comments.conftest import issued
from tests.config.test_settings import PRODUCTION, run_manage
from tests.factories import (
    AnalysisFactory,
    ConsultationFactory,
    PolicyVersionFactory,
    SubscriberFactory,
    TopicFactory,
    UserFactory,
)
from tests.integration.conftest import PrivateRedis
from tests.notifications.brokers import broker_at

pytestmark = pytest.mark.django_db

# Connection refused costs nothing; what is measured is that no request waits on Redis.
SLOWEST_REQUEST_SECONDS = 3.0


@pytest.fixture
def outage_redis(tmp_path, settings, monkeypatch):
    """A private Redis as the cache and the Celery broker, as in production; stopped when the test ends."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    monkeypatch.setattr(ResilientRedisCache, "RETRY_SECONDS", 0.2)
    with broker_at(server.url):
        yield server
    server.stop()


@pytest.fixture
def site():
    PolicyVersionFactory()
    TopicFactory(slug="prevention")
    SubscriberFactory(email="confirmed@example.org")
    member = UserFactory(email="member@example.org", password="correct horse battery staple")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return {"analysis": AnalysisFactory(), "consultation": ConsultationFactory()}


def page() -> Client:
    """A browser whose server errors come back as 500 responses, so the test can list every one."""
    return Client(raise_request_exception=False)


def api() -> APIClient:
    return APIClient(raise_request_exception=False)


def timed(call):
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < SLOWEST_REQUEST_SECONDS, "waited on the dead Redis"
    return response


def api_get_paths(site) -> list[str]:
    """Every GET operation, with the open consultation or the analysis where a slug goes (others 404)."""
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = []
    for template, operations in schema["paths"].items():
        if "get" in operations:
            slug = site["consultation" if "/consultations/" in template else "analysis"].slug
            paths.append(re.sub(r"\{[^}]+\}", "1", template.replace("{slug}", slug)))
    return paths


def test_every_page_and_endpoint_works_with_redis_stopped_and_email_goes_out_once_it_returns(
    outage_redis, site, caplog, django_capture_on_commit_callbacks
):
    paths = api_get_paths(site)
    assert len(paths) > 10
    outage_redis.stop()
    caplog.set_level(logging.WARNING)
    analysis, consultation = site["analysis"], site["consultation"]
    moderator = UserFactory(username="moderator-on-duty", is_staff=True, is_superuser=True)
    responses = {}

    with django_capture_on_commit_callbacks(execute=True):
        responses["subscribe page"] = timed(
            lambda: page().post(
                "/notifications/subscribe/", {"email": "page@example.org", "webinars": "on", "frequency": "immediate"}
            )
        )
        responses["subscribe API"] = timed(
            lambda: api().post(
                "/api/v1/subscriptions/", {"email": "api@example.org", "topics": ["prevention"]}, format="json"
            )
        )
        responses["preferences link"] = timed(
            lambda: page().post("/notifications/preferences/", {"email": "confirmed@example.org"})
        )
        responses["comment"] = timed(
            lambda: page().post(
                f"/comments/analysis/{analysis.pk}/post/",
                {
                    "name": "Ada Guest",
                    "email": "guest@example.org",
                    "text": "Research clusters need long-term funding.",
                    "accept_policy": "on",
                    "website": "",
                    "issued": issued(),
                },
            )
        )
    responses["sign-in page"] = timed(lambda: page().get("/accounts/login/"))
    responses["wrong password"] = timed(
        lambda: page().post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
    )
    responses["sign in"] = timed(
        lambda: page().post(
            "/accounts/login/", {"login": "member@example.org", "password": "correct horse battery staple"}
        )
    )
    responses["start a response"] = timed(lambda: page().post(f"/consultations/{consultation.slug}/respond/"))
    responses["schema"] = timed(lambda: api().get("/api/schema/"))
    staff = api()
    staff.force_login(moderator)
    for path in paths:
        responses[f"GET {path}"] = timed(lambda path=path: api().get(path))
        responses[f"GET {path} as staff"] = timed(lambda path=path: staff.get(path))

    failures = {name: response.status_code for name, response in responses.items() if response.status_code >= 500}
    assert failures == {}
    assert responses["subscribe page"].status_code == 302
    assert responses["subscribe API"].status_code == 202
    assert responses["preferences link"].status_code == 200
    assert responses["comment"].status_code == 302
    assert responses["sign in"].status_code == 302
    assert responses["start a response"].status_code == 302
    assert Comment.objects.filter(author_email="guest@example.org").exists()
    waiting = Delivery.objects.filter(status=Delivery.Status.QUEUED, dispatched_at__isnull=True)
    recipients = sorted(waiting.values_list("recipient", flat=True))
    assert recipients == ["api@example.org", "confirmed@example.org", "guest@example.org", "page@example.org"]
    assert mail.outbox == []
    fallbacks = [record for record in caplog.records if "Redis cache unreachable" in record.getMessage()]
    assert len(fallbacks) == 1, "the fallback is logged, once, not for every request"

    outage_redis.start()
    time.sleep(ResilientRedisCache.RETRY_SECONDS)
    from config.celery import app

    app.conf.task_always_eager = True  # the worker, in this process
    sweep_deliveries.apply()
    sweep_deliveries.apply()

    sent = sorted(recipient for message in mail.outbox for recipient in message.to)
    assert sent == recipients
    cache.set("back", "in redis")
    assert redis.Redis.from_url(outage_redis.url).exists(cache.make_key("back"))


def test_the_cache_counts_in_memory_while_redis_is_down_and_in_redis_again_after(outage_redis):
    from core.throttle import window_hit

    outage_redis.stop()
    down = [window_hit("outage-test", limit=2, window=60).allowed for _ in range(3)]
    outage_redis.start()
    time.sleep(ResilientRedisCache.RETRY_SECONDS)
    up = [window_hit("after-outage", limit=2, window=60).allowed for _ in range(3)]

    assert down == up == [True, True, False]
    assert any(b"after-outage" in key for key in redis.Redis.from_url(outage_redis.url).scan_iter())


def test_with_redis_configured_the_cache_falls_back_and_gives_up_on_redis_quickly():
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['OPTIONS']['socket_connect_timeout'], c['OPTIONS']['socket_timeout'], "
        "settings.SESSION_ENGINE)"
    )

    result = run_manage("shell", "--no-imports", "-c", code, REDIS_URL="redis://127.0.0.1:6399/0", **PRODUCTION)

    backend, connect, read, sessions = result.stdout.split()
    assert backend == "core.cache.ResilientRedisCache"
    assert float(connect) <= 0.5 and float(read) <= 1
    assert sessions == "django.contrib.sessions.backends.db", "sessions must not vanish with the cache"
