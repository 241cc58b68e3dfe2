"""The webinar and speaker pages a search engine may list."""

from django.contrib.sitemaps import Sitemap

from webinars.models import Speaker, Webinar


class WebinarSitemap(Sitemap):
    def items(self):
        return Webinar.objects.order_by("-starts_at")

    def lastmod(self, item: Webinar):
        return item.updated_at


class SpeakerSitemap(Sitemap):
    def items(self):
        return Speaker.objects.order_by("pk")
