"""Read endpoints for analyses, authors and reports."""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from core.api.common import LinkField
from core.api.views import PublicReadViewSet, latest
from core.markdown import figure_slugs
from policies.models import Author, Figure, PolicyAnalysis, QuoteCitation, Report
from policies.selectors import figures_by_slug
from topics.api import TopicSummarySerializer, topic_filter
from webinars.api import QuoteSerializer


class AuthorSerializer(serializers.ModelSerializer):
    url = LinkField("api:author-detail")
    html_url = LinkField("policies:author", help_text="The page on the site.")
    photo = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "url", "html_url"]


class AuthorSummarySerializer(AuthorSerializer):
    class Meta(AuthorSerializer.Meta):
        fields = ["name", "slug", "role", "url"]


class ReportSerializer(serializers.ModelSerializer):
    url = LinkField("api:report-detail")
    link = serializers.SerializerMethodField(
        help_text="Where to read the report: its file here or its address elsewhere."
    )

    class Meta:
        model = Report
        fields = ["title", "slug", "summary", "published_on", "link", "url"]

    def get_link(self, obj: Report) -> str:
        return self.context["request"].build_absolute_uri(obj.link) if obj.link else ""


class CitationSerializer(serializers.ModelSerializer):
    """A cited quote; ``position`` matches the ``[[quote:N]]`` marker in the body HTML."""

    quote = serializers.SerializerMethodField()

    class Meta:
        model = QuoteCitation
        fields = ["position", "quote"]

    @extend_schema_field(QuoteSerializer())
    def get_quote(self, obj: QuoteCitation) -> dict:
        return QuoteSerializer(obj.quote, context=self.context).data


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    webp = serializers.URLField(help_text="The picture at this width in WebP.")
    fallback = serializers.URLField(help_text="The same in the original's format (PNG for a GIF).")


def renditions_data(storage, renditions: list[dict], request) -> list[dict]:
    def address(name: str) -> str:
        return request.build_absolute_uri(storage.url(name))

    return [{**r, "webp": address(r["webp"]), "fallback": address(r["fallback"])} for r in renditions]


class DataTableSerializer(serializers.Serializer):
    headings = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()), help_text="The first cell names the row."
    )


class FigureSerializer(serializers.ModelSerializer):
    """A figure the body places with ``[[figure:slug]]``."""

    image = serializers.ImageField(read_only=True, help_text="The original, without its metadata.")
    alt = serializers.CharField(read_only=True, help_text="Empty for a decorative picture.")
    renditions = serializers.SerializerMethodField(help_text="Narrowest first; no wider than the original.")
    data_table = DataTableSerializer(source="table", read_only=True, allow_null=True)

    class Meta:
        model = Figure
        fields = [
            "slug",
            "image",
            "width",
            "height",
            "alt",
            "decorative",
            "caption",
            "credit",
            "renditions",
            "data_table",
        ]

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, obj: Figure) -> list[dict]:
        return renditions_data(obj.image.storage, obj.renditions, self.context["request"])


class AnalysisListSerializer(serializers.ModelSerializer):
    url = LinkField("api:analysis-detail")
    html_url = LinkField("policies:analysis", help_text="The page on the site.")
    author = AuthorSummarySerializer(read_only=True)
    topics = TopicSummarySerializer(many=True, read_only=True)
    hero_image = serializers.ImageField(read_only=True, allow_null=True)
    accepts_comments = serializers.BooleanField(read_only=True)

    class Meta:
        model = PolicyAnalysis
        fields = [
            "title",
            "slug",
            "section",
            "kind",
            "standfirst",
            "publish_at",
            "author",
            "topics",
            "hero_image",
            "hero_alt",
            "accepts_comments",
            "url",
            "html_url",
        ]


class AnalysisDetailSerializer(AnalysisListSerializer):
    body_html = serializers.CharField(
        read_only=True,
        help_text=(
            "Sanitised HTML. A paragraph holding only `[[quote:N]]` places the quote whose position is N; "
            "one holding only `[[figure:slug]]` places that figure (from `figures`; none if it is missing)."
        ),
    )
    quotes = CitationSerializer(source="citations", many=True, read_only=True)
    figures = FigureSerializer(
        source="cited_figures", many=True, read_only=True, help_text="The figures the body places, in its order."
    )
    hero_renditions = serializers.SerializerMethodField(help_text="The hero image at each width, narrowest first.")
    reports = ReportSerializer(many=True, read_only=True)
    is_published = serializers.BooleanField(read_only=True, help_text="False only in an editor's preview.")

    class Meta(AnalysisListSerializer.Meta):
        fields = [
            *AnalysisListSerializer.Meta.fields,
            "status",
            "is_published",
            "updated_at",
            "hero_caption",
            "hero_width",
            "hero_height",
            "hero_renditions",
            "body_html",
            "quotes",
            "figures",
            "reports",
        ]

    @extend_schema_field(RenditionSerializer(many=True))
    def get_hero_renditions(self, obj: PolicyAnalysis) -> list[dict]:
        return renditions_data(obj.hero_image.storage, obj.hero_renditions, self.context["request"])


class AnalysisFilter(django_filters.FilterSet):
    topic = topic_filter()
    author = django_filters.ModelChoiceFilter(
        queryset=Author.objects.all(), to_field_name="slug", help_text="An author's slug."
    )
    published_after = django_filters.DateFilter(
        field_name="publish_at", lookup_expr="date__gte", help_text="Published on or after this date (YYYY-MM-DD)."
    )
    published_before = django_filters.DateFilter(
        field_name="publish_at", lookup_expr="date__lte", help_text="Published on or before this date (YYYY-MM-DD)."
    )
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Words in the title or standfirst."
    )

    class Meta:
        model = PolicyAnalysis
        fields = ["topic", "author", "published_after", "published_before", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(standfirst__icontains=word))
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="List published analyses", description="Newest first; filter by topic, author, date or words."
    ),
    retrieve=extend_schema(
        summary="Read an analysis",
        description="Its body HTML, cited quotes and reports. Editors also see drafts and scheduled analyses.",
    ),
)
class AnalysisViewSet(PublicReadViewSet):
    """Policy analyses: published ones for everyone, drafts and schedules for editors too."""

    filterset_class = AnalysisFilter
    queryset = PolicyAnalysis.objects.none()

    def get_queryset(self) -> QuerySet[PolicyAnalysis]:
        if self.action == "retrieve":
            citations = QuoteCitation.objects.select_related("quote__speaker", "quote__webinar")
            return (
                PolicyAnalysis.objects.visible_to(self.request.user)
                .select_related("author")
                .prefetch_related("topics", "reports", Prefetch("citations", queryset=citations))
            )
        return PolicyAnalysis.objects.published().for_listing()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return AnalysisDetailSerializer if self.action == "retrieve" else AnalysisListSerializer

    def get_object(self) -> PolicyAnalysis:
        analysis = super().get_object()
        slugs = figure_slugs(analysis.body_html)
        figures = figures_by_slug(slugs=slugs)
        analysis.cited_figures = [figures[slug] for slug in dict.fromkeys(slugs) if slug in figures]
        # The representation embeds the author, topics, reports, quotes and figures, so it is as new as the newest.
        citations = analysis.citations.all()
        self.last_modified = latest(
            analysis.updated_at,
            *(figure.updated_at for figure in analysis.cited_figures),
            analysis.author.updated_at,
            *(topic.updated_at for topic in analysis.topics.all()),
            *(report.updated_at for report in analysis.reports.all()),
            *(citation.quote.updated_at for citation in citations),
            *(citation.quote.speaker.updated_at for citation in citations),
        )
        return analysis


@extend_schema_view(list=extend_schema(summary="List authors"), retrieve=extend_schema(summary="Read an author"))
class AuthorViewSet(PublicReadViewSet):
    """The policy team members who write the analyses."""

    queryset = Author.objects.order_by("name", "pk")
    serializer_class = AuthorSerializer


@extend_schema_view(
    list=extend_schema(summary="List reports", description="Newest first."),
    retrieve=extend_schema(summary="Read a report"),
)
class ReportViewSet(PublicReadViewSet):
    """Publications the analyses refer to."""

    queryset = Report.objects.order_by("-published_on", "title", "pk")
    serializer_class = ReportSerializer
