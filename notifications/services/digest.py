"""The weekly digest: one email per digest subscriber per week, only when there is something new for them.

Each app offers its section of the week through a ``DigestPart`` it registers (new analyses,
upcoming webinars, consultations closing soon, the most discussed analyses); this module asks
them all once per batch, takes each subscriber's share and sends what is not empty.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications.models import Frequency, Stream, Subscriber
from notifications.registry import DigestWeek, digest_parts
from notifications.services.jobs import job_enqueue
from notifications.services.outbox import delivery_enqueue

WEEK = timedelta(days=7)
LOOK_AHEAD = timedelta(days=14)


@dataclass(frozen=True)
class Week:
    """What happened in the seven days to ``end``: every section a digest can offer, read once per batch."""

    end: datetime
    sections: dict[str, list[Any]]

    @property
    def key(self) -> str:
        return week_key(self.end)


def week_key(end: datetime) -> str:
    year, week, _day = timezone.localtime(end).isocalendar()
    return f"weekly-digest:{year}-W{week:02d}"


def digest_week(*, end: datetime) -> Week:
    period = DigestWeek(start=end - WEEK, end=end, ahead=end + LOOK_AHEAD)
    return Week(end=end, sections={part.name: part.week(period) for part in digest_parts()})


def digest_for(subscriber: Subscriber, week: Week) -> dict[str, Any] | None:
    """The subscriber's share of the week (the weekly-digest template's context), or None when nothing
    in it is new for them."""
    parts = digest_parts()
    shares = {part.name: part.share(subscriber, week.sections[part.name]) for part in parts}
    if not any(shares[part.name] for part in parts if part.news):
        return None
    return {**shares, "week_end": week.end}


def digest_send(*, subscriber_ids: list[int], end: datetime) -> int:
    """Queue the digests of these subscribers; unique per (subscriber, week), so a rerun adds nothing."""
    week = digest_week(end=end)
    sent = 0
    subscribers = Subscriber.objects.receiving(Frequency.WEEKLY).filter(pk__in=subscriber_ids)
    for subscriber in subscribers.prefetch_related("topics"):
        context = digest_for(subscriber, week)
        if context is None:
            continue
        with transaction.atomic():
            delivery_enqueue(
                recipient=subscriber.email,
                template="weekly-digest",
                context=context,
                kind="weekly_digest",
                idempotency_key=week.key,
                about=subscriber,
                stream=Stream.BULK,
            )
        sent += 1
    return sent


@transaction.atomic
def digest_schedule(*, end: datetime) -> int:
    """Record the week's batches as jobs, all or none; a second run in the same week adds none."""
    batches = digest_batches()
    for number, ids in enumerate(batches):
        job_enqueue(
            task="notifications.send_digest_batch",
            args=[ids, end.isoformat()],
            key=f"{week_key(end)}:batch-{number}",
            queue="bulk",
        )
    return len(batches)


def digest_batches(*, size: int = 500) -> list[list[int]]:
    ids = list(Subscriber.objects.receiving(Frequency.WEEKLY).order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + size] for start in range(0, len(ids), size)]
