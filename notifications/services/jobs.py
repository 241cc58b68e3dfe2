"""Deferred jobs: effects that must happen after commit and are not one email.

``job_enqueue`` writes the job in the caller's transaction and asks a worker after
commit (the fast path); the sweeper asks again for jobs never dispatched (broker
down) or started longer ago than NOTIFICATIONS_JOB_TIMEOUT_SECONDS and unfinished
(worker killed). The row, not the Celery message, is the truth.
"""

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import dispatch
from notifications.models import Job

log = logging.getLogger(__name__)


def job_enqueue(*, task: str, args: list[Any], key: str, queue: str = "celery") -> Job:
    """Record that ``task(*args)`` must run, in the caller's transaction; a second call with the key adds nothing.

    ``args`` must be JSON-safe, and the task safe to run twice.
    """
    job, created = Job.objects.get_or_create(key=key, defaults={"task": task, "args": args, "queue": queue})
    if created:
        transaction.on_commit(partial(jobs_dispatch, ids=[job.pk]))
    return job


def jobs_dispatch(*, ids: list[int]) -> int:
    """Ask workers to run these jobs; a job whose message could not be published waits for the sweeper."""
    run_job = dispatch.task(dispatch.RUN_JOB)
    jobs = list(Job.objects.filter(pk__in=ids, finished_at__isnull=True).values_list("pk", "queue"))
    Job.objects.filter(pk__in=[pk for pk, _queue in jobs]).update(dispatched_at=timezone.now())
    published = 0
    try:
        with dispatch.producer() as producer:
            for pk, queue in jobs:
                run_job.apply_async(args=[pk], queue=queue, producer=producer)
                published += 1
    except (OperationalError, OSError) as error:
        log.warning("Broker unavailable; %s jobs left for the sweeper: %s", len(jobs) - published, error)
        Job.objects.filter(pk__in=[pk for pk, _queue in jobs[published:]]).update(dispatched_at=None)
    return published


def job_run(*, job_id: int) -> bool:
    """Run an unfinished job's task in this process and mark it finished; False when there was nothing to do."""
    # Stamped at the start, so the sweeper leaves a running job alone until it has surely died.
    started = Job.objects.filter(pk=job_id, finished_at__isnull=True).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not started:
        return False
    job = Job.objects.get(pk=job_id)
    try:
        dispatch.task(job.task)(*job.args)
    except Exception as error:
        Job.objects.filter(pk=job_id).update(last_error=f"{type(error).__name__}: {error}"[:2000])
        raise
    Job.objects.filter(pk=job_id).update(finished_at=timezone.now(), last_error="")
    return True


def jobs_resume() -> int:
    """Dispatch unfinished jobs never dispatched or started too long ago; gives up after NOTIFICATIONS_MAX_ATTEMPTS."""
    stale = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_JOB_TIMEOUT_SECONDS)
    ids = list(
        Job.objects.filter(finished_at__isnull=True, attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return jobs_dispatch(ids=ids) if ids else 0


def jobs_retry(*, ids: list[int]) -> int:
    """Give jobs that ran out of attempts a fresh start; the next sweep dispatches them."""
    return Job.objects.filter(
        pk__in=ids, finished_at__isnull=True, attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS
    ).update(attempts=0, dispatched_at=None)
