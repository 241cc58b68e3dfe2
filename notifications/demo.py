"""Demo subscribers, already confirmed, so that publishing an analysis in the admin shows
its announcement in the console (or file) email backend, and a draft newsletter issue to
preview, test and send. Loading twice changes nothing."""

from django.db import transaction
from django.utils import timezone

from notifications.models import Frequency, NewsletterBlock, NewsletterIssue, Subscriber
from notifications.registry import newsletter_block_sources
from topics.models import Topic

# Address, fields other than the address, and slugs of the topics followed.
SUBSCRIBERS: list[tuple[str, dict[str, object], list[str]]] = [
    ("every.analysis@example.org", {"all_analyses": True, "webinars": True}, []),
    ("clusters@example.org", {}, ["research-clusters", "research-funding"]),
    ("weekly.digest@example.org", {"all_analyses": True, "consultations": True, "frequency": Frequency.WEEKLY}, []),
]


def load() -> None:
    with transaction.atomic():
        for email, fields, topic_slugs in SUBSCRIBERS:
            subscriber, created = Subscriber.objects.get_or_create(
                email=email, defaults={**fields, "confirmed_at": timezone.now()}
            )
            if created and topic_slugs:
                subscriber.topics.set(Topic.objects.filter(slug__in=topic_slugs))

    newsletter_load()


NEWSLETTER_SUBJECT = "Research clusters: the spring round-up"
NEWSLETTER_BODY = """## What we have been reading

Three months after the Spending Review, the **research clusters** debate has moved from
whether to fund them to how long for. This issue gathers our latest analysis, a webinar
with its authors and a consultation still open for your views.

- Reply to this email to tell us what you would like covered next.
- Forward it to a colleague: they can [subscribe here](https://example.org/notifications/subscribe/).
"""


def newsletter_load() -> None:
    """A draft issue to a topic segment, with the newest item each content app offers as its blocks."""
    with transaction.atomic():
        issue, created = NewsletterIssue.objects.get_or_create(
            subject=NEWSLETTER_SUBJECT,
            defaults={
                "preheader": "Our latest analysis, a webinar and an open consultation",
                "body": NEWSLETTER_BODY,
                "audience": NewsletterIssue.Audience.SEGMENT,
                "to_webinars": True,
                "test_addresses": "newsletter.tests@example.org",
            },
        )
        if not created:
            return
        issue.topics.set(Topic.objects.filter(slug__in=["research-clusters"]))
        position = 0
        for source in newsletter_block_sources():
            for object_id, _title in source.choices()[:1]:
                NewsletterBlock.objects.create(issue=issue, position=position, source=source.key, object_id=object_id)
                position += 1
