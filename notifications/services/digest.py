"""The weekly digest: one email per digest subscriber per week, only when there is something new for them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from comments.models import Comment
from consultations.models import Consultation
from notifications.models import Frequency, Stream, Subscriber
from notifications.services.jobs import job_enqueue
from notifications.services.outbox import delivery_enqueue
from policies.models import PolicyAnalysis
from webinars.models import Webinar

WEEK = timedelta(days=7)
LOOK_AHEAD = timedelta(days=14)
MOST_DISCUSSED = 3


@dataclass(frozen=True)
class Week:
    """What happened in the seven days to ``end``; everything a digest can offer, read once per batch."""

    end: datetime
    analyses: list[PolicyAnalysis]
    webinars: list[Webinar]
    consultations: list[Consultation]
    most_discussed: list[PolicyAnalysis]

    @property
    def key(self) -> str:
        return week_key(self.end)


def week_key(end: datetime) -> str:
    year, week, _day = timezone.localtime(end).isocalendar()
    return f"weekly-digest:{year}-W{week:02d}"


def digest_week(*, end: datetime) -> Week:
    start = end - WEEK
    analyses = list(
        PolicyAnalysis.objects.published()
        .filter(publish_at__gt=start, publish_at__lte=end)
        .select_related("author")
        .prefetch_related("topics")
        .order_by("-publish_at")
    )
    comments = (
        Comment.objects.public()
        .filter(
            content_type=ContentType.objects.get_for_model(PolicyAnalysis),
            object_id=OuterRef("pk"),
            created_at__gt=start,
            created_at__lte=end,
        )
        .order_by()
        .values("object_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    discussed = (
        PolicyAnalysis.objects.published()
        .annotate(comments_this_week=Subquery(comments))
        .filter(comments_this_week__gt=0)
        .order_by("-comments_this_week", "-publish_at")[:MOST_DISCUSSED]
    )
    return Week(
        end=end,
        analyses=analyses,
        webinars=list(Webinar.objects.upcoming().filter(starts_at__lte=end + LOOK_AHEAD)),
        consultations=list(Consultation.objects.closing_between(end, end + LOOK_AHEAD).order_by("closes_at")),
        most_discussed=list(discussed),
    )


class DigestContext(TypedDict):
    """What the weekly-digest template is given for one subscriber."""

    analyses: list[PolicyAnalysis]
    webinars: list[Webinar]
    consultations: list[Consultation]
    most_discussed: list[PolicyAnalysis]
    week_end: datetime


def digest_for(subscriber: Subscriber, week: Week) -> DigestContext | None:
    """The subscriber's share of the week, or None when nothing in it is new for them."""
    topic_ids = {topic.pk for topic in subscriber.topics.all()}
    analyses = [
        analysis
        for analysis in week.analyses
        if subscriber.all_analyses or topic_ids & {topic.pk for topic in analysis.topics.all()}
    ]
    webinars = week.webinars if subscriber.webinars else []
    consultations = week.consultations if subscriber.consultations else []
    if not (analyses or webinars or consultations):
        return None
    wants_analyses = subscriber.all_analyses or topic_ids
    return {
        "analyses": analyses,
        "webinars": webinars,
        "consultations": consultations,
        "most_discussed": week.most_discussed if wants_analyses else [],
        "week_end": week.end,
    }


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
