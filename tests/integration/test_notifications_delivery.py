"""The outbox against real services: a Celery worker process, Redis, PostgreSQL and an SMTP server."""

import time
from collections import Counter

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Subscriber
from policies.services import analysis_announce
from tests.factories import AnalysisFactory, TopicFactory
from tests.integration.conftest import wait_for
from tests.notifications.brokers import broker_at

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Short clocks so the sweeper acts within the test, not after minutes.
FAST_SWEEPER = {
    "NOTIFICATIONS_SWEEP_SECONDS": "1",
    "NOTIFICATIONS_DISPATCH_GRACE_SECONDS": "2",
    "NOTIFICATIONS_SENDING_TIMEOUT_SECONDS": "3",
    "NOTIFICATIONS_LEASE_RENEW_SECONDS": "1",
    "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
}


def subscribers(count: int, topic=None, prefix: str = "reader") -> list[str]:
    now = timezone.now()
    created = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{n}@example.org", all_analyses=topic is None, confirmed_at=now) for n in range(count)
    )
    if topic is not None:
        Subscriber.topics.through.objects.bulk_create(
            Subscriber.topics.through(subscriber_id=subscriber.pk, topic_id=topic.pk) for subscriber in created
        )
    return [subscriber.email for subscriber in created]


def publish(*, topics=(), **fields):
    """As the admin does: the analysis and its topics saved, then announced, in one transaction."""
    with transaction.atomic():
        analysis = AnalysisFactory(**fields)
        analysis.topics.set(topics)
        broadcast = analysis_announce(analysis=analysis)
    return analysis, broadcast


def all_sent(count: int) -> bool:
    return Delivery.objects.filter(status=Delivery.Status.SENT).count() >= count


def test_a_published_analysis_reaches_each_subscriber_once_with_unsubscribe_headers(start_worker, smtp_sink):
    topic = TopicFactory(name="Screening")
    readers = subscribers(300, topic=topic)
    subscribers(20, prefix="uninterested")
    Subscriber.objects.filter(email__startswith="uninterested").update(all_analyses=False)
    start_worker(concurrency=2)

    _analysis, broadcast = publish(title="Screening saves lives", topics=[topic])
    wait_for(lambda: all_sent(300), 60, "300 deliveries sent")
    wait_for(lambda: smtp_sink.count() >= 300, 10, "300 messages at the sink")

    received = smtp_sink.by_recipient()
    assert sorted(received) == sorted(readers)
    assert {len(messages) for messages in received.values()} == {1}
    rows = {d.recipient: d for d in Delivery.objects.all()}
    for recipient, [message] in received.items():
        assert message["To"] == recipient
        assert message["Subject"] == "New analysis: Screening saves lives"
        assert message["Message-ID"] == rows[recipient].message_id
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        https_link, mailto_link = (
            part.strip(" <>") for part in " ".join(message["List-Unsubscribe"].split()).split(",")
        )
        assert https_link.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
        assert mailto_link.startswith("mailto:unsubscribe@")
        assert https_link in message.get_body(("plain",)).get_content()
        assert https_link in message.get_body(("html",)).get_content()
    assert len({message["List-Unsubscribe"] for [message] in received.values()}) == 300
    broadcast.refresh_from_db()
    assert broadcast.recipients == 300


def test_transactional_mail_does_not_wait_behind_an_announcement(start_worker, smtp_sink):
    subscribers(500)
    start_worker(concurrency=1, queues="transactional")

    _analysis, broadcast = publish(title="A large announcement")
    response = Client().post(
        reverse("notifications:subscribe"),
        {"email": "newcomer@example.org", "webinars": "on", "frequency": "immediate"},
    )
    assert response.status_code == 302

    wait_for(lambda: smtp_sink.count() >= 1, 30, "the confirmation")
    [confirmation] = smtp_sink.messages()
    assert confirmation.recipients == ("newcomer@example.org",)
    assert confirmation.message["Subject"] == "Confirm your subscription to Policy & Insight"
    broadcast.refresh_from_db()
    assert broadcast.fanned_out_at is None, "the bulk queue has no worker in this test"


def test_email_caused_while_the_broker_is_down_is_delivered_once_when_it_returns(
    start_worker, smtp_sink, private_redis
):
    readers = subscribers(30)
    with broker_at(private_redis.url):
        start_worker(redis_url=private_redis.url, beat=True, **FAST_SWEEPER)
        private_redis.stop()

        client = Client()
        for n in range(5):
            data = {"email": f"new{n}@example.org", "all_analyses": "on", "frequency": "immediate"}
            response = client.post(reverse("notifications:subscribe"), data)
            assert response.status_code == 302, "the request must succeed with Redis down"
        _analysis, broadcast = publish(title="Published during the outage")

        assert Delivery.objects.filter(status=Delivery.Status.QUEUED, dispatched_at__isnull=True).count() == 5
        broadcast.refresh_from_db()
        assert broadcast.fanned_out_at is None
        assert smtp_sink.count() == 0

        private_redis.start()
        wait_for(lambda: all_sent(35), 90, "every delivery sent after Redis came back")
        wait_for(lambda: smtp_sink.count() >= 35, 10, "35 messages at the sink")

    received = smtp_sink.by_recipient()
    assert sorted(received) == sorted(readers + [f"new{n}@example.org" for n in range(5)])
    assert {len(messages) for messages in received.values()} == {1}
    assert received["new0@example.org"][0]["Subject"] == "Confirm your subscription to Policy & Insight"
    assert received[readers[0]][0]["Subject"] == "New analysis: Published during the outage"


def test_a_worker_killed_mid_send_loses_nothing_and_resends_at_most_the_messages_in_flight(start_worker, smtp_sink):
    readers = subscribers(3000)
    concurrency = 2
    # Small chunks, and timeouts well past a chunk's duration and the queue's backlog even
    # on a loaded machine: the sweeper must only take back rows whose worker is really gone.
    clocks = {
        **FAST_SWEEPER,
        "NOTIFICATIONS_CHUNK_SIZE": "25",
        "NOTIFICATIONS_SENDING_TIMEOUT_SECONDS": "10",
        "NOTIFICATIONS_DISPATCH_GRACE_SECONDS": "10",
    }
    worker = start_worker(concurrency=concurrency, **clocks)

    publish(title="Sent through a crash")
    wait_for(lambda: smtp_sink.count() >= 600, 90, "sending under way")
    worker.kill()
    at_kill = smtp_sink.count()
    assert at_kill < 3000, "the worker must die half-way for this test to mean anything"

    start_worker(concurrency=concurrency, beat=True, **clocks)
    wait_for(lambda: all_sent(3000), 120, "every delivery sent by the new worker")
    wait_for(lambda: smtp_sink.count() >= 3000, 10, "3000 messages at the sink")

    received = smtp_sink.messages()
    per_recipient = Counter(recipient for item in received for recipient in item.recipients)
    assert sorted(per_recipient) == sorted(readers)
    message_ids: dict[str, set[str]] = {}
    for item in received:
        message_ids.setdefault(item.recipients[0], set()).add(item.message["Message-ID"])
    # Exactly one message per subscriber. SMTP cannot make a send and a database write
    # atomic: a process killed after the server accepted a message but before the row
    # was marked sent re-sends that one message, under the same Message-ID.
    assert {len(ids) for ids in message_ids.values()} == {1}
    resent = sum(per_recipient.values()) - len(readers)
    assert resent <= concurrency, f"{resent} messages sent twice; at most {concurrency} were in flight"
    assert Delivery.objects.count() == 3000
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()


# Production clocks except the sweep interval: the claim lease is the default one.
RESUME_WITHIN_SECONDS = 120


def test_a_batch_left_by_a_killed_worker_resumes_within_two_minutes(start_worker, smtp_sink):
    readers = subscribers(90)
    smtp_sink.delay = 0.2
    worker = start_worker(concurrency=1)

    publish(title="Sent slowly through a crash")
    wait_for(lambda: smtp_sink.count() >= 15, 60, "sending under way")
    worker.kill()
    killed_at = time.monotonic()
    assert smtp_sink.count() < 80, "the worker must die half-way through the batch for this test to mean anything"

    start_worker(concurrency=1, beat=True, NOTIFICATIONS_SWEEP_SECONDS="5")
    wait_for(lambda: all_sent(90), RESUME_WITHIN_SECONDS, "the rest of the batch sent after the kill", interval=0.2)
    wait_for(lambda: smtp_sink.count() >= 90, 10, "90 messages at the sink", interval=0.05)
    print(f"\nkill to last delivery: {time.monotonic() - killed_at:.1f} s")

    per_recipient = Counter(recipient for item in smtp_sink.messages() for recipient in item.recipients)
    assert sorted(per_recipient) == sorted(readers)
    # One process was sending when the group died: at most its one message in flight comes twice.
    assert sum(per_recipient.values()) - len(readers) <= 1
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
