"""A consultation's outcome and opening are recorded with their cause, so a broker outage or a crash loses neither."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from consultations import services, tasks
from notifications.models import Broadcast, Job
from notifications.tasks import sweep_deliveries
from tests.factories import ConsultationFactory, ResponseFactory, SubscriberFactory
from tests.notifications.brokers import broker_at

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


def outcome_recipients() -> list[str]:
    return sorted(address for m in mail.outbox if m.subject.startswith("The outcome") for address in m.to)


def test_an_outcome_concluded_while_the_broker_is_down_is_sent_once_by_the_sweeper(
    closed, editor, settings, django_capture_on_commit_callbacks
):
    respondents = [ResponseFactory(consultation=closed, email=f"r{n}@example.org").email for n in range(3)]
    subscriber = SubscriberFactory(consultations=True, all_analyses=False)

    with broker_at(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)

    closed.refresh_from_db()
    assert closed.concluded_at is not None
    assert outcome_recipients() == []
    job = Job.objects.get(key=f"consultation-outcome:{closed.pk}")
    assert (job.dispatched_at, job.finished_at) == (None, None), "recorded, waiting for the sweeper"
    assert Broadcast.objects.get(key=f"consultation-outcome:{closed.pk}").fanned_out_at is None

    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)  # concluding again changes nothing
    assert outcome_recipients() == []

    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_DISPATCH_GRACE_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 1
    assert outcome_recipients() == sorted([*respondents, subscriber.email])
    assert Job.objects.get(pk=job.pk).finished_at is not None

    much_later = later + timedelta(seconds=settings.NOTIFICATIONS_JOB_TIMEOUT_SECONDS + 1)
    with time_machine.travel(much_later), django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 0
        services.consultation_conclude(consultation=closed, actor=editor)
        tasks.send_outcome(closed.pk)  # a redelivered task
    assert outcome_recipients() == sorted([*respondents, subscriber.email])


def test_an_outcome_job_whose_worker_died_is_run_again_after_the_job_timeout(
    closed, editor, settings, django_capture_on_commit_callbacks
):
    ResponseFactory(consultation=closed, email="r@example.org")
    with broker_at(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        services.consultation_conclude(consultation=closed, actor=editor)
    # A worker started the job and was killed before finishing it.
    Job.objects.update(dispatched_at=timezone.now(), attempts=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 0, "a running job is left alone"
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_JOB_TIMEOUT_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 1

    assert "r@example.org" in outcome_recipients()
    assert Job.objects.get().attempts == 2


def test_an_opening_is_stamped_only_with_its_announcement(monkeypatch, django_capture_on_commit_callbacks):
    SubscriberFactory(consultations=True, all_analyses=False)
    consultation = ConsultationFactory(opens_at=timezone.now() - timedelta(minutes=5))

    def crash(**kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(services, "announcement_fan_out", crash)
    with pytest.raises(RuntimeError):
        services.consultation_announce_opening(consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.opening_announced_at is None, "the next beat run must still announce it"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_openings() == 1
    assert Broadcast.objects.filter(key=f"consultation-opening:{consultation.pk}").exists()
