"""Webinars an editor can pull into a newsletter issue: upcoming ones first, then recordings."""

from django.conf import settings
from django.template.defaultfilters import striptags, truncatewords
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.registry import NewsletterBlockSource, NewsletterItem
from webinars.models import Webinar

PICKER_LIMIT = 200


def webinar_choices() -> list[tuple[int, str]]:
    webinars = Webinar.objects.order_by("-starts_at").only("pk", "title", "starts_at")
    return [
        (webinar.pk, f"{webinar.title} ({timezone.localtime(webinar.starts_at):%d %b %Y})")
        for webinar in webinars[:PICKER_LIMIT]
    ]


def webinar_items(ids: list[int]) -> dict[int, NewsletterItem]:
    webinars = Webinar.objects.filter(pk__in=ids).only("pk", "title", "slug", "starts_at", "description_html")
    return {
        webinar.pk: NewsletterItem(
            title=webinar.title,
            standfirst=f"{timezone.localtime(webinar.starts_at):%A %-d %B %Y, %H:%M} (UK time). "
            f"{truncatewords(striptags(webinar.description_html), 40)}",
            url=f"{settings.SITE_URL}{webinar.get_absolute_url()}",
            label=str(_("Webinar")),
        )
        for webinar in webinars
    }


NEWSLETTER_SOURCE = NewsletterBlockSource(
    key="webinars.webinar", label=str(_("Webinars")), choices=webinar_choices, items=webinar_items
)
