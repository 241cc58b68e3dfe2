"""The weekly digest's webinars: those starting in the fortnight ahead, for subscribers to webinars."""

from notifications.models import Subscriber
from notifications.registry import DigestPart, DigestWeek
from webinars.models import Webinar


def webinars_of_week(week: DigestWeek) -> list[Webinar]:
    return list(Webinar.objects.upcoming().filter(starts_at__lte=week.ahead))


def webinars_for(subscriber: Subscriber, webinars: list[Webinar]) -> list[Webinar]:
    return webinars if subscriber.webinars else []


DIGEST_PART = DigestPart(name="webinars", week=webinars_of_week, share=webinars_for)
