"""Demo subscribers, already confirmed, so that publishing an analysis in the admin shows
its announcement in the console (or file) email backend. Loading twice changes nothing."""

from django.db import transaction
from django.utils import timezone

from notifications.models import Frequency, Subscriber
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
