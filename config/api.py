"""The API's URLs: version 1 of the resources, the OpenAPI schema and its interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from comments.api.queues import DecisionViewSet, QueueViewSet
from comments.api.threads import (
    AnalysisDiscussionViewSet,
    CommentPolicyViewSet,
    CommentViewSet,
    ConsultationDiscussionViewSet,
    WebinarDiscussionViewSet,
)
from consultations.api import ConsultationViewSet
from core.api.errors import not_found
from notifications.api import SubscriptionViewSet
from policies.api import AnalysisViewSet, AuthorViewSet, ReportViewSet
from topics.api import TopicViewSet
from webinars.api import QuoteViewSet, SpeakerViewSet, WebinarViewSet


class Router(DefaultRouter):
    include_root_view = False
    include_format_suffixes = False


router = Router()
router.register("analyses", AnalysisViewSet, basename="analysis")
router.register("topics", TopicViewSet, basename="topic")
router.register("authors", AuthorViewSet, basename="author")
router.register("reports", ReportViewSet, basename="report")
router.register("webinars", WebinarViewSet, basename="webinar")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("consultations", ConsultationViewSet, basename="consultation")
router.register(r"analyses/(?P<slug>[-a-zA-Z0-9_]+)/comments", AnalysisDiscussionViewSet, basename="analysis-comments")
router.register(r"webinars/(?P<slug>[-a-zA-Z0-9_]+)/comments", WebinarDiscussionViewSet, basename="webinar-comments")
router.register(
    r"consultations/(?P<slug>[-a-zA-Z0-9_]+)/comments", ConsultationDiscussionViewSet, basename="consultation-comments"
)
router.register("comments", CommentViewSet, basename="comment")
router.register("comment-policy", CommentPolicyViewSet, basename="comment-policy")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("moderation/queues", QueueViewSet, basename="moderation-queue")
router.register("moderation/comments", DecisionViewSet, basename="moderation-comment")

app_name = "api"

# ReDoc's bundle injects two <style> elements as it loads, before it can be given the request's
# nonce: the scrollbar's stylesheet and an empty one, allowed by their hashes (an upgrade of
# drf-spectacular-sidecar that changes them fails tests/e2e/test_csp.py, which prints the new
# ones). Its search runs in a worker it starts from a blob: URL. Its footer shows Redocly's logo
# from their server; nothing else there is third-party.
REDOC_CSP = {
    "style-src": [
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    ],
    "img-src": ["https://cdn.redoc.ly"],
    "worker-src": ["'self'", "blob:"],
}

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (docs/?script=), so the page
    # runs under a Content-Security-Policy without inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", csp_update(REDOC_CSP)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    # Matches every remaining path, even one with a newline in it.
    re_path(r"^", not_found),
]
