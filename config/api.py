"""The API's URLs: version 1 of the resources, the OpenAPI schema and its interactive docs."""

from typing import Any

from csp.decorators import csp_update
from django.urls import NoReverseMatch, include, path, re_path, reverse
from drf_spectacular.plumbing import build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from comments.api.queues import DecisionViewSet, QueueViewSet
from comments.api.threads import (
    AnalysisDiscussionViewSet,
    CommentPolicyViewSet,
    CommentViewSet,
    ConsultationDiscussionViewSet,
    WebinarDiscussionViewSet,
)
from consultations.api.attachments import DraftViewSet, ResponseAttachmentViewSet
from consultations.api.consultations import ConsultationViewSet
from core.api.errors import not_found
from core.api.schema import AutoSchema
from notifications.api import SubscriptionViewSet
from policies.api import AnalysisViewSet, AuthorViewSet, ReportViewSet
from search.api import SearchViewSet
from topics.api import TopicViewSet
from webinars.api import QuoteViewSet, SpeakerViewSet, WebinarViewSet

# The root's answer: each collection's address by name, then the schema and its docs.
ROOT_SCHEMA = build_object_type(
    description="Each collection's address, by name, and where the schema and its documentation are.",
    additionalProperties=build_basic_type(OpenApiTypes.URI),
)
ROOT_LINKS = {"schema": "api:schema", "docs": "api:docs", "redoc": "api:redoc"}


class ApiRootView(routers.APIRootView):
    """The API's front door: where each collection is, so a client (or a person) can start here."""

    permission_classes = [AllowAny]
    schema = AutoSchema()  # DRF leaves its root out of the schema; this one is documented like the rest.

    @extend_schema(
        operation_id="root",
        summary="List the API's collections",
        tags=["root"],
        responses={200: OpenApiResponse(response=ROOT_SCHEMA)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Collections only: a route that needs a slug (a discussion's comments) or has no list is left out.
        links = {}
        for name, url_name in (self.api_root_dict or {}).items():
            try:
                links[name] = request.build_absolute_uri(reverse(f"api:{url_name}"))
            except NoReverseMatch:
                continue
        links |= {name: request.build_absolute_uri(reverse(url_name)) for name, url_name in ROOT_LINKS.items()}
        return Response(links)


class Router(routers.DefaultRouter):
    include_format_suffixes = False
    root_view_name = "root"
    APIRootView = ApiRootView


router = Router()
router.register("analyses", AnalysisViewSet, basename="analysis")
router.register("topics", TopicViewSet, basename="topic")
router.register("authors", AuthorViewSet, basename="author")
router.register("reports", ReportViewSet, basename="report")
router.register("webinars", WebinarViewSet, basename="webinar")
router.register("speakers", SpeakerViewSet, basename="speaker")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("consultations", ConsultationViewSet, basename="consultation")
router.register("search", SearchViewSet, basename="search")
router.register("responses", DraftViewSet, basename="response")
router.register(
    r"responses/(?P<response_id>[0-9]+)/attachments", ResponseAttachmentViewSet, basename="response-attachment"
)
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
