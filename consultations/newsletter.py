"""Open consultations an editor can pull into a newsletter issue."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from notifications.registry import NewsletterBlockSource, NewsletterItem

PICKER_LIMIT = 200


def consultation_choices() -> list[tuple[int, str]]:
    consultations = Consultation.objects.open().order_by("closes_at").only("pk", "title")
    return [(consultation.pk, consultation.title) for consultation in consultations[:PICKER_LIMIT]]


def consultation_items(ids: list[int]) -> dict[int, NewsletterItem]:
    consultations = Consultation.objects.open().filter(pk__in=ids).only("pk", "title", "slug", "summary", "closes_at")
    return {
        consultation.pk: NewsletterItem(
            title=consultation.title,
            standfirst=f"{consultation.summary} "
            + str(_("Open until %(date)s.") % {"date": f"{timezone.localtime(consultation.closes_at):%-d %B %Y}"}),
            url=f"{settings.SITE_URL}{consultation.get_absolute_url()}",
            label=str(_("Consultation")),
        )
        for consultation in consultations
    }


NEWSLETTER_SOURCE = NewsletterBlockSource(
    key="consultations.consultation",
    label=str(_("Open consultations")),
    choices=consultation_choices,
    items=consultation_items,
)
