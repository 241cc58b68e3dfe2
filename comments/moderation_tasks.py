"""Beat jobs for moderators; each is keyed so that running it twice sends nothing new."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from comments import moderation


@shared_task(name="comments.moderation_tasks.send_daily_summary")
def send_daily_summary() -> int:
    return moderation.moderation_summary_send()


@shared_task(name="comments.moderation_tasks.alert_stale_pending")
def alert_stale_pending() -> int:
    return moderation.moderation_stale_alert_send(older_than=timedelta(hours=settings.COMMENTS_STALE_PENDING_HOURS))
