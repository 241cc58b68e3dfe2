from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from policies.models import PolicyAnalysis
from topics.models import Topic

FEED_LENGTH = 20


class AnalysisItemsFeed(Feed):
    """What every feed of analyses says about each analysis; subclasses choose the analyses."""

    def item_title(self, item: PolicyAnalysis) -> str:
        return item.title

    def item_description(self, item: PolicyAnalysis) -> str:
        return item.standfirst

    def item_pubdate(self, item: PolicyAnalysis):
        return item.publish_at

    def item_updateddate(self, item: PolicyAnalysis):
        return item.updated_at

    def item_author_name(self, item: PolicyAnalysis) -> str:
        return item.author.name

    def item_categories(self, item: PolicyAnalysis) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class LatestAnalysesFeed(AnalysisItemsFeed):
    description = "New policy analyses."

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def link(self, obj=None) -> str:
        return "/analyses/"

    def items(self, obj=None):
        return PolicyAnalysis.objects.published().for_listing()[:FEED_LENGTH]


class LatestAnalysesAtomFeed(LatestAnalysesFeed):
    feed_type = Atom1Feed
    subtitle = LatestAnalysesFeed.description


class TopicFeed(AnalysisItemsFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj: Topic) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Topic) -> str:
        return f"New policy analyses about {obj.name}."

    def items(self, obj: Topic):
        return PolicyAnalysis.objects.published().for_listing().filter(topics=obj)[:FEED_LENGTH]


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Topic) -> str:
        return self.description(obj)
