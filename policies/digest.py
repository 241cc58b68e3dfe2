"""The weekly digest's new analyses: those published in the week, for subscribers to their topics."""

from notifications.models import Subscriber
from notifications.registry import DigestPart, DigestWeek
from policies.models import PolicyAnalysis


def analyses_of_week(week: DigestWeek) -> list[PolicyAnalysis]:
    return list(
        PolicyAnalysis.objects.published()
        .filter(publish_at__gt=week.start, publish_at__lte=week.end)
        .select_related("author")
        .prefetch_related("topics")
        .order_by("-publish_at")
    )


def analyses_for(subscriber: Subscriber, analyses: list[PolicyAnalysis]) -> list[PolicyAnalysis]:
    """All of them for a subscriber to all analyses, else those filed under one of the subscriber's topics."""
    if subscriber.all_analyses:
        return analyses
    topic_ids = {topic.pk for topic in subscriber.topics.all()}
    return [analysis for analysis in analyses if topic_ids & {topic.pk for topic in analysis.topics.all()}]


DIGEST_PART = DigestPart(name="analyses", week=analyses_of_week, share=analyses_for)
