"""Moderator alerts (throttled per window), IP-hash erasure and the beat jobs."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments import tasks
from comments.models import Comment
from comments.services import comments_erase_ip_hashes, moderator_alerts_send
from notifications.models import Delivery
from tests.factories import CommentFactory, FlagFactory, UserFactory

Status = Comment.Status


@pytest.fixture
def moderators(db):
    from accounts.roles import MODERATORS

    return [UserFactory(is_staff=True, groups=[MODERATORS]) for _ in range(2)]


def alerts() -> list[str]:
    return sorted(Delivery.objects.filter(kind="comment_moderator_alert").values_list("recipient", flat=True))


def test_a_comment_entering_the_queue_alerts_each_moderator(analysis, moderators):
    moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    assert alerts() == sorted(m.email for m in moderators)


def test_no_moderator_gets_more_than_one_alert_per_window(analysis, moderators):
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    assert len(alerts()) == 2
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    assert len(alerts()) == 4


def test_inactive_staff_and_other_users_get_no_alert(analysis, moderators, editor, stakeholder):
    from accounts.roles import MODERATORS

    UserFactory(is_staff=True, is_active=False, groups=[MODERATORS])
    moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    assert alerts() == sorted(m.email for m in moderators)


def test_the_alert_says_how_many_wait(analysis, moderators):
    CommentFactory.create_batch(2, target=analysis, status=Status.PENDING)
    moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING, text="Please look"))
    delivery = Delivery.objects.filter(kind="comment_moderator_alert").first()
    assert delivery.subject == "3 comments waiting for moderation"
    assert "Please look" in delivery.body_text


def test_the_alert_links_to_the_pending_queue(analysis, moderators, settings):
    settings.SITE_URL = "https://consult.example.org"
    moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    delivery = Delivery.objects.filter(kind="comment_moderator_alert").first()
    pending = "https://consult.example.org/admin/comments/pendingcomment/"
    assert f"Open the queue: {pending}\n" in delivery.body_text
    assert f'href="{pending}"' in delivery.body_html
    assert "/admin/comments/comment/" not in delivery.body_text + delivery.body_html


def test_an_alert_about_a_reported_comment_links_to_the_reported_queue(analysis, moderators, settings):
    settings.SITE_URL = "https://consult.example.org"
    reported = CommentFactory(target=analysis, status=Status.APPROVED)
    FlagFactory(comment=reported)
    moderator_alerts_send(comment=reported)
    delivery = Delivery.objects.filter(kind="comment_moderator_alert").first()
    assert "Open the queue: https://consult.example.org/admin/comments/reportedcomment/\n" in delivery.body_text


def test_batched_mode_sends_nothing_at_once_and_a_summary_from_the_beat_job(analysis, moderators, settings):
    settings.COMMENTS_ALERTS = "batched"
    moderator_alerts_send(comment=CommentFactory(target=analysis, status=Status.PENDING))
    assert alerts() == []
    assert tasks.send_batched_alerts.delay().get() == 1
    assert len(alerts()) == 2
    tasks.send_batched_alerts.delay()
    assert len(alerts()) == 2


def test_the_batch_job_is_quiet_when_nothing_arrived(analysis, moderators, settings):
    settings.COMMENTS_ALERTS = "batched"
    CommentFactory(target=analysis, status=Status.PENDING, status_changed_at=timezone.now() - timedelta(hours=2))
    assert tasks.send_batched_alerts.delay().get() == 0


def test_ip_hashes_are_erased_after_90_days(analysis):
    old = CommentFactory(target=analysis, ip_hash="a" * 64, created_at=timezone.now() - timedelta(days=91))
    recent = CommentFactory(target=analysis, ip_hash="b" * 64, created_at=timezone.now() - timedelta(days=89))
    assert comments_erase_ip_hashes() == 1
    assert tasks.erase_old_ip_hashes.delay().get() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_hash, recent.ip_hash) == ("", "b" * 64)


def test_the_expiry_job_runs_through_celery(analysis):
    CommentFactory(target=analysis, status=Status.UNCONFIRMED, created_at=timezone.now() - timedelta(days=3))
    assert tasks.expire_unconfirmed.delay().get() == 1


def test_the_beat_schedule_names_real_tasks(settings):
    from config.celery import app

    for name in ("comments-expire-unconfirmed", "comments-erase-ip-hashes", "comments-batched-alerts"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
