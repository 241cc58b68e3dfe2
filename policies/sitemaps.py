from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.utils import timezone

from consultations.models import Consultation
from policies.models import Author, PolicyAnalysis
from topics.models import Topic
from webinars.models import Speaker, Webinar


class AnalysisSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return PolicyAnalysis.objects.published().order_by("-publish_at")

    def lastmod(self, item: PolicyAnalysis):
        return item.updated_at


class WebinarSitemap(Sitemap):
    def items(self):
        return Webinar.objects.order_by("-starts_at")

    def lastmod(self, item: Webinar):
        return item.updated_at


class ConsultationSitemap(Sitemap):
    """Every published consultation (upcoming, open, closed, concluded); drafts never."""

    changefreq = "daily"

    def items(self):
        return Consultation.objects.published().order_by("-opens_at", "pk")

    def lastmod(self, item: Consultation) -> datetime:
        # Opening and closing change the page (the form appears, then goes) without an edit.
        now = timezone.now()
        return max(moment for moment in (item.updated_at, item.opens_at, item.closes_at) if moment <= now)


class PlainSitemap(Sitemap):
    """Pages of a model listed in name order."""

    def __init__(self, model) -> None:
        self.model = model

    def items(self):
        return self.model.objects.order_by("pk")


SITEMAPS = {
    "analyses": AnalysisSitemap,
    "webinars": WebinarSitemap,
    "consultations": ConsultationSitemap,
    "topics": PlainSitemap(Topic),
    "authors": PlainSitemap(Author),
    "speakers": PlainSitemap(Speaker),
}
