"""Read endpoints for webinars, speakers and their quotes."""

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from core.api.common import LinkField
from core.api.views import PublicReadViewSet
from topics.api import TopicSummarySerializer, topic_filter
from webinars.models import Appearance, Quote, Speaker, Webinar


class SpeakerSummarySerializer(serializers.ModelSerializer):
    url = LinkField("api:speaker-detail")

    class Meta:
        model = Speaker
        fields = ["full_name", "slug", "affiliation", "url"]


class SpeakerSerializer(serializers.ModelSerializer):
    url = LinkField("api:speaker-detail")
    html_url = LinkField("webinars:speaker", help_text="The page on the site.")
    photo = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Speaker
        fields = ["full_name", "honorific", "name", "slug", "role", "organisation", "bio", "photo", "url", "html_url"]


class WebinarSummarySerializer(serializers.ModelSerializer):
    url = LinkField("api:webinar-detail")

    class Meta:
        model = Webinar
        fields = ["title", "slug", "starts_at", "url"]


class QuoteSerializer(serializers.ModelSerializer):
    url = LinkField("api:quote-detail", lookup_field="pk")
    speaker = SpeakerSummarySerializer(read_only=True)
    webinar = WebinarSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Quote
        fields = ["id", "text", "context", "said_on", "speaker", "webinar", "url"]


class AppearanceSerializer(serializers.ModelSerializer):
    speaker = SpeakerSummarySerializer(read_only=True)

    class Meta:
        model = Appearance
        fields = ["role", "speaker"]


class WebinarSerializer(serializers.ModelSerializer):
    url = LinkField("api:webinar-detail")
    html_url = LinkField("webinars:webinar", help_text="The page on the site.")
    topics = TopicSummarySerializer(many=True, read_only=True)
    speakers = AppearanceSerializer(source="appearances", many=True, read_only=True)
    is_upcoming = serializers.BooleanField(read_only=True)

    class Meta:
        model = Webinar
        fields = [
            "title",
            "slug",
            "starts_at",
            "ends_at",
            "is_upcoming",
            "description_html",
            "registration_url",
            "recording_url",
            "topics",
            "speakers",
            "url",
            "html_url",
        ]


class WebinarFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "upcoming"), ("past", "past")],
        method="filter_when",
        help_text="`upcoming` (not yet ended) or `past`.",
    )
    topic = topic_filter()

    class Meta:
        model = Webinar
        fields = ["when", "topic"]

    def filter_when(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        return queryset.filter(ends_at__gt=now) if value == "upcoming" else queryset.filter(ends_at__lte=now)


class QuoteFilter(django_filters.FilterSet):
    speaker = django_filters.ModelChoiceFilter(
        queryset=Speaker.objects.all(), to_field_name="slug", help_text="A speaker's slug."
    )
    webinar = django_filters.ModelChoiceFilter(
        queryset=Webinar.objects.all(), to_field_name="slug", help_text="A webinar's slug."
    )

    class Meta:
        model = Quote
        fields = ["speaker", "webinar"]


@extend_schema_view(
    list=extend_schema(
        summary="List webinars", description="Latest start first; filter upcoming or past, or by topic."
    ),
    retrieve=extend_schema(summary="Read a webinar", description="With its topics and speakers in running order."),
)
class WebinarViewSet(PublicReadViewSet):
    """Webinars, upcoming and past, with their speakers."""

    serializer_class = WebinarSerializer
    filterset_class = WebinarFilter
    queryset = Webinar.objects.order_by("-starts_at", "-pk").prefetch_related(
        "topics", Prefetch("appearances", queryset=Appearance.objects.select_related("speaker"))
    )


@extend_schema_view(list=extend_schema(summary="List speakers"), retrieve=extend_schema(summary="Read a speaker"))
class SpeakerViewSet(PublicReadViewSet):
    """People who have spoken at the webinars."""

    serializer_class = SpeakerSerializer
    queryset = Speaker.objects.order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="List quotes", description="By speaker; filter by speaker or webinar."),
    retrieve=extend_schema(summary="Read a quote"),
)
class QuoteViewSet(PublicReadViewSet):
    """What speakers said, as the analyses cite it."""

    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    queryset = Quote.objects.select_related("speaker", "webinar").order_by("speaker__name", "pk")
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"
