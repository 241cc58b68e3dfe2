"""Deferred jobs: recorded with their cause, dispatched after commit, resumed by the sweeper when lost."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Frequency, Job
from notifications.tasks import send_weekly_digest, sweep_deliveries
from tests.factories import AnalysisFactory, SubscriberFactory
from tests.notifications.brokers import broker_at

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("Europe/London"))


def test_a_weekly_digest_started_while_the_broker_is_down_goes_out_once_when_swept(
    django_capture_on_commit_callbacks,
):
    readers = [SubscriberFactory(email=f"w{n}@example.org", frequency=Frequency.WEEKLY).email for n in range(3)]
    AnalysisFactory(publish_at=MONDAY - timedelta(days=2))

    with (
        time_machine.travel(MONDAY, tick=False),
        broker_at("redis://127.0.0.1:1/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_weekly_digest() == 1
    assert mail.outbox == []
    assert Job.objects.filter(key="weekly-digest:2026-W48:batch-0", dispatched_at__isnull=True).exists()

    with (
        time_machine.travel(MONDAY + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_deliveries()["jobs"] == 1
        send_weekly_digest()  # beat running the job again in the same week adds nothing
        assert sweep_deliveries()["jobs"] == 0

    assert sorted(address for email in mail.outbox for address in email.to) == sorted(readers)
    assert Job.objects.get().finished_at is not None


def test_a_failing_job_is_retried_by_the_sweeper_then_given_up(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    from notifications.services.jobs import job_enqueue

    with broker_at("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(task="notifications.send_digest_batch", args=[[1], "not a date"], key="broken")

    start = timezone.now()
    for attempt in (1, 2):
        later = start + timedelta(seconds=attempt * (settings.NOTIFICATIONS_JOB_TIMEOUT_SECONDS + 1))
        with time_machine.travel(later), pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
            sweep_deliveries()
    job.refresh_from_db()
    assert (job.attempts, job.finished_at) == (2, None)
    assert job.last_error.startswith("ValueError")
    with time_machine.travel(start + timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 0
