"""The privacy notice states each retention period from the setting its beat job uses, and the jobs keep to it."""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from comments.models import Comment
from comments.tasks import erase_old_ip_hashes, expire_unconfirmed
from consultations.models import Response
from consultations.tasks import remove_expired_personal_data
from notifications.models import Delivery
from notifications.tasks import delete_old_deliveries
from tests.factories import CommentFactory, ConsultationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

# Beat jobs that delete or anonymise no personal data; any other job must be on the notice.
JOBS_KEEPING_NOTHING_LONGER = {
    "notifications-sweep",
    "notifications-announce",
    "notifications-weekly-digest",
    "comments-batched-alerts",
    "moderation-daily-summary",
    "moderation-stale-alert",
    "consultations-announce-opening",
    "consultations-remind-drafts",
}


def stated_periods(client) -> dict[str, int]:
    page = client.get("/privacy/").content.decode()
    return {job: int(period) for job, period in re.findall(r'data-retention-job="([^"]+)" data-period="(\d+)"', page)}


def test_every_beat_job_that_removes_personal_data_is_on_the_notice(client):
    stated = stated_periods(client)
    for job in settings.CELERY_BEAT_SCHEDULE:
        assert job in settings.PERSONAL_DATA_RETENTION_JOBS or job in JOBS_KEEPING_NOTHING_LONGER, (
            f"{job}: say on the privacy notice how long it keeps what, or list it as keeping nothing"
        )
    assert set(stated) == set(settings.PERSONAL_DATA_RETENTION_JOBS)
    assert set(settings.PERSONAL_DATA_RETENTION_JOBS) <= set(settings.CELERY_BEAT_SCHEDULE)


def test_each_stated_period_is_the_setting_and_follows_it(client, settings):
    for job, name in settings.PERSONAL_DATA_RETENTION_JOBS.items():
        assert stated_periods(client)[job] == getattr(settings, name)
    settings.COMMENTS_IP_HASH_DAYS = 30
    settings.DELIVERY_RETENTION_DAYS = 7
    assert stated_periods(client)["comments-erase-ip-hashes"] == 30
    assert stated_periods(client)["notifications-delete-old-deliveries"] == 7


def test_the_notice_is_linked_from_every_page_footer_and_the_comment_form(client):
    from tests.factories import AnalysisFactory, policy_version_in_force

    policy_version_in_force()
    page = client.get(AnalysisFactory().get_absolute_url()).content.decode()
    assert page.count('href="/privacy/') >= 2  # the footer and the comment form


def _run(task, job: str, setting: str, value: int, make_old, make_recent, gone) -> None:
    """The job removes a record just past the period the setting names and keeps one just inside it."""
    assert settings.CELERY_BEAT_SCHEDULE[job]["task"] == task.name
    old, recent = make_old(), make_recent()
    task.apply()
    assert gone(old) and not gone(recent), f"{job} does not keep to {setting}={value}"


def test_the_unconfirmed_comment_job_keeps_to_the_stated_hours(settings):
    settings.COMMENTS_UNCONFIRMED_HOURS = 5
    now = timezone.now()
    _run(
        expire_unconfirmed,
        "comments-expire-unconfirmed",
        "COMMENTS_UNCONFIRMED_HOURS",
        5,
        lambda: CommentFactory(status="unconfirmed", created_at=now - timedelta(hours=5, minutes=1)),
        lambda: CommentFactory(status="unconfirmed", created_at=now - timedelta(hours=4, minutes=59)),
        lambda comment: not Comment.objects.filter(pk=comment.pk).exists(),
    )


def test_the_ip_hash_job_keeps_to_the_stated_days(settings):
    settings.COMMENTS_IP_HASH_DAYS = 10
    now = timezone.now()
    _run(
        erase_old_ip_hashes,
        "comments-erase-ip-hashes",
        "COMMENTS_IP_HASH_DAYS",
        10,
        lambda: CommentFactory(ip_hash="a" * 64, created_at=now - timedelta(days=10, minutes=1)),
        lambda: CommentFactory(ip_hash="b" * 64, created_at=now - timedelta(days=9, hours=23)),
        lambda comment: Comment.objects.get(pk=comment.pk).ip_hash == "",
    )


def test_the_consultation_job_keeps_to_the_stated_months(settings):
    settings.CONSULTATION_RETENTION_MONTHS = 3
    now = timezone.now()

    def concluded(ago):
        consultation = ConsultationFactory(
            opens_at=now - relativedelta(months=8), closes_at=now - relativedelta(months=7), concluded_at=now - ago
        )
        return ResponseFactory(consultation=consultation)

    _run(
        remove_expired_personal_data,
        "consultations-remove-personal-data",
        "CONSULTATION_RETENTION_MONTHS",
        3,
        lambda: concluded(relativedelta(months=3, days=1)),
        lambda: concluded(relativedelta(months=3) - relativedelta(days=1)),
        lambda response: Response.objects.get(pk=response.pk).email == "",
    )


def test_the_delivery_job_keeps_to_the_stated_days(settings):
    settings.DELIVERY_RETENTION_DAYS = 7
    now = timezone.now()

    def delivery(ago, key):
        return Delivery.objects.create(
            recipient="reader@example.org", kind="x", idempotency_key=key, status="sent", created_at=now - ago
        )

    _run(
        delete_old_deliveries,
        "notifications-delete-old-deliveries",
        "DELIVERY_RETENTION_DAYS",
        7,
        lambda: delivery(timedelta(days=7, minutes=1), "old"),
        lambda: delivery(timedelta(days=6, hours=23), "recent"),
        lambda row: not Delivery.objects.filter(pk=row.pk).exists(),
    )


def test_the_delivery_job_never_deletes_an_email_still_waiting_to_go(settings):
    settings.DELIVERY_RETENTION_DAYS = 7
    waiting = Delivery.objects.create(
        recipient="reader@example.org",
        kind="x",
        idempotency_key="waiting",
        status="queued",
        created_at=timezone.now() - timedelta(days=30),
    )
    delete_old_deliveries.apply()
    assert Delivery.objects.filter(pk=waiting.pk).exists()
