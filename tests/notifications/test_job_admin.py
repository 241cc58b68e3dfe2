"""The deferred jobs' admin: Editors see what waits, what finished and what gave up, and try again the last."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Frequency, Job
from notifications.tasks import sweep_deliveries
from tests.factories import AnalysisFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

LIST = reverse("admin:notifications_job_changelist")


@pytest.fixture
def given_up(settings) -> Job:
    reader = SubscriberFactory(email="weekly@example.org", frequency=Frequency.WEEKLY)
    AnalysisFactory(publish_at=datetime(2026, 11, 21, 9, 0, tzinfo=ZoneInfo("Europe/London")))
    return Job.objects.create(
        key="weekly-digest:2026-W48:batch-0",
        task="notifications.send_digest_batch",
        args=[[reader.pk], "2026-11-23T07:00:00+00:00"],
        attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
        last_error="OperationalError: the database restarted",
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 302), ("stakeholder", 302), ("moderator", 403), ("editor", 200)]
)
def test_only_editors_and_superusers_read_the_jobs(persona, status, request, client_for, given_up) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert client_for(user).get(LIST).status_code == status


def test_the_list_says_which_jobs_gave_up(client_for, editor, given_up) -> None:
    Job.objects.create(key="done", task="notifications.send_digest_batch", args=[], finished_at=given_up.created_at)

    html = client_for(editor).get(LIST, {"state": "gave_up"}).content.decode()

    assert "weekly-digest:2026-W48:batch-0" in html and "Gave up" in html
    assert "done" not in html.split("result_list", 1)[1]


def test_nobody_adds_or_deletes_a_job_by_hand(client_for, superuser, given_up) -> None:
    client = client_for(superuser)
    assert client.get(reverse("admin:notifications_job_add")).status_code == 403
    assert client.get(reverse("admin:notifications_job_delete", args=[given_up.pk])).status_code == 403


def test_trying_again_a_job_that_gave_up_runs_it_at_the_next_sweep(
    client_for, editor, given_up, django_capture_on_commit_callbacks
) -> None:
    response = client_for(editor).post(LIST, {"action": "retry", "_selected_action": [given_up.pk]}, follow=True)
    assert "1 job will run again at the next sweep." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_deliveries()["jobs"] == 1

    given_up.refresh_from_db()
    assert given_up.finished_at is not None
    assert [email.to for email in mail.outbox] == [["weekly@example.org"]]


def test_trying_again_leaves_waiting_and_finished_jobs_alone(client_for, editor) -> None:
    waiting = Job.objects.create(key="waiting", task="notifications.send_digest_batch", args=[], attempts=1)

    client_for(editor).post(LIST, {"action": "retry", "_selected_action": [waiting.pk]})

    waiting.refresh_from_db()
    assert waiting.attempts == 1
