"""The topics' read endpoints, and the serializer and filter every list of content filed under topics shares."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from core.api.common import LinkField
from core.api.views import PublicReadViewSet
from topics.models import Topic


class TopicSerializer(serializers.ModelSerializer):
    url = LinkField("api:topic-detail")
    html_url = LinkField("policies:topic", help_text="The page on the site.")

    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "url", "html_url"]


class TopicSummarySerializer(TopicSerializer):
    class Meta(TopicSerializer.Meta):
        fields = ["name", "slug", "url"]


def topic_filter() -> django_filters.ModelChoiceFilter:
    """Filter by a topic's slug; every list of content tagged with topics offers it."""
    return django_filters.ModelChoiceFilter(
        queryset=Topic.objects.all(), to_field_name="slug", field_name="topics", help_text="A topic's slug."
    )


@extend_schema_view(list=extend_schema(summary="List topics"), retrieve=extend_schema(summary="Read a topic"))
class TopicViewSet(PublicReadViewSet):
    """The topics analyses and webinars are filed under."""

    queryset = Topic.objects.order_by("name", "pk")
    serializer_class = TopicSerializer
