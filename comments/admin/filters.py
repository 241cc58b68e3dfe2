"""Filters for the moderation queues; each narrows by an indexed column or a small subquery."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from comments import pipeline
from comments.models import CommentReason
from policies.models import PolicyAnalysis
from topics.models import Topic


def analysis_type() -> ContentType:
    return ContentType.objects.get_for_model(PolicyAnalysis)


class AnalysisFilter(admin.SimpleListFilter):
    title = _("analysis")
    parameter_name = "analysis"

    def lookups(self, request, model_admin):
        return list(PolicyAnalysis.objects.order_by("-publish_at").values_list("pk", "title")[:200])

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        return queryset.filter(content_type=analysis_type(), object_id=int(self.value()))


class TopicFilter(admin.SimpleListFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return list(Topic.objects.order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        analyses = PolicyAnalysis.objects.filter(topics__slug=self.value()).values("pk")
        return queryset.filter(content_type=analysis_type(), object_id__in=analyses)


class ReasonFilter(admin.SimpleListFilter):
    title = _("automatic check")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(code, label) for code, (_outcome, label) in pipeline.REASONS.items()]

    def queryset(self, request, queryset):
        if self.value() not in pipeline.REASONS:
            return queryset
        # The indexed (code, comment) rows, not a scan of every comment's JSON reasons.
        return queryset.filter(pk__in=CommentReason.objects.filter(code=self.value()).values("comment_id"))


class AuthorFilter(admin.SimpleListFilter):
    """Set by the author links in the rows; offers only the author already chosen, to clear it."""

    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def has_output(self) -> bool:
        return bool(self.value())

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(author_email__iexact=self.value())
