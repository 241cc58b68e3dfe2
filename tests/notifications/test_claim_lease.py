"""A chunk's claim is a lease: renewed while its worker sends, taken back soon after the worker dies."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery
from notifications.sending import deliveries_claim, deliveries_send
from notifications.services import deliveries_sweep, delivery_enqueue
from tests.notifications.backends import SlowBackend

pytestmark = pytest.mark.django_db


def queued(count: int, django_capture_on_commit_callbacks) -> list[Delivery]:
    with django_capture_on_commit_callbacks(execute=False):
        return [
            delivery_enqueue(
                recipient=f"reader{n}@example.org",
                template="subscription-confirm",
                context={"summary": "All new analyses", "confirm_url": "https://example.org/c/1", "link_days": 7},
                kind="subscription_confirmation",
                idempotency_key="event:1",
            )
            for n in range(count)
        ]


def received() -> Counter:
    return Counter(address for email in mail.outbox for address in email.to)


@pytest.fixture
def slow(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowBackend"
    settings.NOTIFICATIONS_LEASE_RENEW_SECONDS = 0
    monkeypatch.setattr(SlowBackend, "busy", False)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        monkeypatch.setattr(SlowBackend, "clock", clock)
        yield SlowBackend


def test_rows_of_a_killed_worker_are_taken_back_within_ninety_seconds(django_capture_on_commit_callbacks):
    rows = queued(3, django_capture_on_commit_callbacks)
    deliveries_claim(ids=[row.pk for row in rows])  # the worker dies here, before sending anything

    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert deliveries_sweep()["requeued"] == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        assert deliveries_sweep()["requeued"] == 3

    assert received() == Counter({row.recipient: 1 for row in rows})


def test_a_slow_live_worker_keeps_its_rows_for_longer_than_the_lease(
    slow, settings, django_capture_on_commit_callbacks
):
    rows = queued(5, django_capture_on_commit_callbacks)
    # Each message takes 60 % of the lease: the chunk outlasts it three times over.
    slow.step = timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS * 0.6)

    counts = deliveries_send(ids=[row.pk for row in rows])

    assert counts["sent"] == 5
    assert received() == Counter({row.recipient: 1 for row in rows})
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_worker_that_stalled_past_its_lease_leaves_the_rest_to_the_sweeper(
    slow, settings, django_capture_on_commit_callbacks
):
    rows = queued(5, django_capture_on_commit_callbacks)
    # The first message hangs longer than the lease; meanwhile the sweeper hands the chunk to another worker.
    slow.step = timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT_SECONDS + 1)

    counts = deliveries_send(ids=[row.pk for row in rows])

    assert counts["sent"] == 1
    # Only the message that was in flight when the lease ran out goes twice (same Message-ID).
    assert received() == Counter({rows[0].recipient: 2} | {row.recipient: 1 for row in rows[1:]})
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_task_out_of_time_leaves_the_message_in_hand_claimed_and_gives_back_the_rest(
    failing, django_capture_on_commit_callbacks
):
    rows = queued(4, django_capture_on_commit_callbacks)
    # Celery's soft time limit strikes while the second message is being handed over.
    failing.recipients = frozenset({rows[1].recipient})
    failing.error = SoftTimeLimitExceeded()

    counts = deliveries_send(ids=[row.pk for row in rows])

    assert counts["sent"] == 1
    statuses = [Delivery.objects.get(pk=row.pk).status for row in rows]
    # The first was sent; the second may have gone out, so it waits for the sweeper like a crashed
    # worker's row; the last two were never tried and go back to the queue.
    assert statuses == [Delivery.Status.SENT, Delivery.Status.SENDING, Delivery.Status.QUEUED, Delivery.Status.QUEUED]
    assert [Delivery.objects.get(pk=row.pk).attempts for row in rows[2:]] == [0, 0]
