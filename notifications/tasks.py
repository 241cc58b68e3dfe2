"""Celery tasks: thin, by id, safe to run twice (acks_late redelivers a task whose worker died).

The tasks call the services; the services ask for tasks by name (``notifications.dispatch``).
"""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from notifications import sending
from notifications.models import Broadcast
from notifications.services import broadcasts, digest, jobs, newsletters, outbox


@shared_task(name="notifications.send_deliveries")
def send_deliveries(ids: list[int]) -> dict[str, int]:
    return sending.deliveries_send(ids=ids)


@shared_task(name="notifications.fan_out_broadcast")
def fan_out_broadcast(broadcast_id: int) -> int:
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    return broadcasts.broadcast_fan_out(broadcast=broadcast) if broadcast else 0


@shared_task(name="notifications.run_job")
def run_job(job_id: int) -> bool:
    return jobs.job_run(job_id=job_id)


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    return {**outbox.deliveries_sweep(), "broadcasts": broadcasts.broadcasts_resume(), "jobs": jobs.jobs_resume()}


@shared_task(name="notifications.delete_old_deliveries")
def delete_old_deliveries() -> int:
    # Newsletter issues keep their counts first: they are read from the emails about to be deleted.
    cutoff = outbox.retention_cutoff()
    newsletters.newsletters_counts_keep_before(cutoff)
    return outbox.deliveries_delete_old(cutoff)


@shared_task(name="notifications.announce_new_content")
def announce_new_content() -> int:
    """Beat, every minute: new content announced, and newsletter issues whose time has come started."""
    return broadcasts.announcements_find_due() + newsletters.newsletters_send_due()


@shared_task(name="notifications.send_weekly_digest")
def send_weekly_digest() -> int:
    """Beat, Monday morning: split the digest subscribers into batches, each a job the sweeper resumes if lost."""
    return digest.digest_schedule(end=timezone.now())


@shared_task(name="notifications.send_digest_batch")
def send_digest_batch(subscriber_ids: list[int], end: str) -> int:
    return digest.digest_send(subscriber_ids=subscriber_ids, end=datetime.fromisoformat(end))
