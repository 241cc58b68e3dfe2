from django.contrib.sitemaps import Sitemap

from consultations.models import Speaker, Webinar
from policies.models import Author, PolicyAnalysis, Topic


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


class PlainSitemap(Sitemap):
    """Pages of a model listed in name order."""

    def __init__(self, model) -> None:
        self.model = model

    def items(self):
        return self.model.objects.order_by("pk")


SITEMAPS = {
    "analyses": AnalysisSitemap,
    "webinars": WebinarSitemap,
    "topics": PlainSitemap(Topic),
    "authors": PlainSitemap(Author),
    "speakers": PlainSitemap(Speaker),
}
