"""The consultation pages a search engine may list."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from consultations.models import Consultation


class ConsultationSitemap(Sitemap):
    """Every published consultation (upcoming, open, closed, concluded); drafts never."""

    changefreq = "daily"

    def items(self):
        return Consultation.objects.published().order_by("-opens_at", "pk")

    def lastmod(self, item: Consultation) -> datetime:
        # Opening and closing change the page (the form appears, then goes) without an edit.
        now = timezone.now()
        return max(moment for moment in (item.updated_at, item.opens_at, item.closes_at) if moment <= now)
