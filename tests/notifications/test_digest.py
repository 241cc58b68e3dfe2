from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery, Frequency
from notifications.tasks import send_weekly_digest
from tests.factories import (
    AnalysisFactory,
    CommentFactory,
    ConsultationFactory,
    SubscriberFactory,
    TopicFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db

# Monday 7:00 in London, as the beat schedule runs it.
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("Europe/London"))


def weekly(email: str, **fields):
    return SubscriberFactory(email=email, frequency=Frequency.WEEKLY, **fields)


def run_digest(capture):
    with time_machine.travel(MONDAY, tick=False), capture(execute=True):
        send_weekly_digest()


def by_recipient() -> dict:
    return {email.to[0]: email for email in mail.outbox}


def test_it_lists_the_weeks_content_each_subscriber_chose(django_capture_on_commit_callbacks):
    screening, tobacco = TopicFactory(name="Screening"), TopicFactory(name="Tobacco")
    with time_machine.travel(MONDAY - timedelta(days=30)):
        consultation = ConsultationFactory(title="Research clusters", closes_at=MONDAY + timedelta(days=5))
    fresh = AnalysisFactory(title="Screening works", publish_at=MONDAY - timedelta(days=2))
    fresh.topics.set([screening])
    other = AnalysisFactory(title="Tobacco taxes", publish_at=MONDAY - timedelta(days=3))
    other.topics.set([tobacco])
    AnalysisFactory(title="Last month", publish_at=MONDAY - timedelta(days=30))
    with time_machine.travel(MONDAY - timedelta(days=1)):
        CommentFactory(target=other)
        CommentFactory(target=other)
    WebinarFactory(title="Screening live", starts_at=MONDAY + timedelta(days=3))
    weekly("everything@example.org", webinars=True, consultations=True)
    weekly("screening@example.org", all_analyses=False, topics=[screening])
    weekly("webinars@example.org", all_analyses=False, webinars=True)

    run_digest(django_capture_on_commit_callbacks)

    emails = by_recipient()
    assert sorted(emails) == ["everything@example.org", "screening@example.org", "webinars@example.org"]
    everything = emails["everything@example.org"].body
    assert emails["everything@example.org"].subject == "Your week at Policy & Insight: 23 November 2026"
    for expected in ("Screening works", "Tobacco taxes", "Screening live", consultation.title, "(2 comments)"):
        assert expected in everything
    assert "Last month" not in everything
    screening_only = emails["screening@example.org"].body
    assert "Screening works" in screening_only
    assert "Tobacco taxes" not in screening_only.split("MOST DISCUSSED")[0]
    assert "Screening live" not in screening_only
    webinars_only = emails["webinars@example.org"].body
    assert "Screening live" in webinars_only
    assert "NEW ANALYSES" not in webinars_only
    assert "MOST DISCUSSED" not in webinars_only
    assert "List-Unsubscribe" in emails["webinars@example.org"].extra_headers


def test_nothing_is_sent_to_someone_with_nothing_new(django_capture_on_commit_callbacks):
    AnalysisFactory(publish_at=MONDAY - timedelta(days=30))
    weekly("quiet@example.org")
    weekly("webinars@example.org", all_analyses=False, webinars=True)

    run_digest(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_it_is_sent_once_a_week_however_often_the_job_runs(django_capture_on_commit_callbacks):
    AnalysisFactory(publish_at=MONDAY - timedelta(days=1))
    weekly("reader@example.org")

    run_digest(django_capture_on_commit_callbacks)
    run_digest(django_capture_on_commit_callbacks)
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False), django_capture_on_commit_callbacks(execute=True):
        AnalysisFactory(publish_at=timezone.now() - timedelta(days=1))
        send_weekly_digest()

    keys = sorted(Delivery.objects.values_list("idempotency_key", flat=True))
    assert keys == ["weekly-digest:2026-W48", "weekly-digest:2026-W49"]
    assert len(mail.outbox) == 2


def test_immediate_and_unconfirmed_subscribers_get_no_digest(django_capture_on_commit_callbacks):
    AnalysisFactory(publish_at=MONDAY - timedelta(days=1))
    SubscriberFactory(email="immediate@example.org")
    weekly("unconfirmed@example.org", confirmed_at=None)

    run_digest(django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_the_beat_schedule_runs_it_on_monday_morning_in_london(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["notifications-weekly-digest"]["schedule"]
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert (schedule.day_of_week, schedule.hour, schedule.minute) == ({1}, {7}, {0})
