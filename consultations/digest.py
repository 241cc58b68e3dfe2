"""The weekly digest's consultations: those closing in the fortnight ahead, for subscribers to consultations."""

from consultations.models import Consultation
from notifications.models import Subscriber
from notifications.registry import DigestPart, DigestWeek


def consultations_of_week(week: DigestWeek) -> list[Consultation]:
    return list(Consultation.objects.closing_between(week.end, week.ahead).order_by("closes_at"))


def consultations_for(subscriber: Subscriber, consultations: list[Consultation]) -> list[Consultation]:
    return consultations if subscriber.consultations else []


DIGEST_PART = DigestPart(name="consultations", week=consultations_of_week, share=consultations_for)
