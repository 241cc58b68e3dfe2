"""The analyses, topic and author pages a search engine may list."""

from django.contrib.sitemaps import Sitemap

from policies.models import Author, PolicyAnalysis
from topics.models import Topic


class AnalysisSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return PolicyAnalysis.objects.published().order_by("-publish_at")

    def lastmod(self, item: PolicyAnalysis):
        return item.updated_at


class TopicSitemap(Sitemap):
    """Every topic's page, which lists the analyses filed under it."""

    def items(self):
        return Topic.objects.order_by("pk")


class AuthorSitemap(Sitemap):
    def items(self):
        return Author.objects.order_by("pk")
