"""Beat jobs for comments and their moderators; each is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from comments import decisions, services


@shared_task
def expire_unconfirmed() -> int:
    return services.comments_expire_unconfirmed()


@shared_task
def erase_old_ip_hashes() -> int:
    return services.comments_erase_ip_hashes()


@shared_task
def send_batched_alerts() -> int:
    return services.moderator_alerts_batch()


# The moderators' jobs keep the names they were registered under (they lived in
# comments/moderation_tasks.py), so queued messages and the beat schedule still find them.
# Each is keyed: the summary by date, the alert by the stale comment.


@shared_task(name="comments.moderation_tasks.send_daily_summary")
def send_daily_summary() -> int:
    return decisions.moderation_summary_send()


@shared_task(name="comments.moderation_tasks.alert_stale_pending")
def alert_stale_pending() -> int:
    return decisions.moderation_stale_alert_send(older_than=timedelta(hours=settings.COMMENTS_STALE_PENDING_HOURS))
