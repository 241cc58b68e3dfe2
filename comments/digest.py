"""The weekly digest's most discussed analyses: the three with the most public comments in the week.

Shown to subscribers to analyses beside the week's news, but never the reason a digest is sent.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Subquery

from comments.models import Comment
from notifications.models import Subscriber
from notifications.registry import DigestPart, DigestWeek
from policies.models import PolicyAnalysis

MOST_DISCUSSED = 3


def most_discussed_of_week(week: DigestWeek) -> list[PolicyAnalysis]:
    comments = (
        Comment.objects.public()
        .filter(
            content_type=ContentType.objects.get_for_model(PolicyAnalysis),
            object_id=OuterRef("pk"),
            created_at__gt=week.start,
            created_at__lte=week.end,
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
    return list(discussed)


def most_discussed_for(subscriber: Subscriber, analyses: list[PolicyAnalysis]) -> list[PolicyAnalysis]:
    """For a subscriber to all analyses or to some topics."""
    return analyses if subscriber.all_analyses or subscriber.topics.all() else []


DIGEST_PART = DigestPart(name="most_discussed", week=most_discussed_of_week, share=most_discussed_for, news=False)
