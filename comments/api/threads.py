"""Comments through the API: threads under each discussable object, submitting and replying,
reader reports, and the comment policy a commenter accepts.

Input is checked by the site's own forms and saved by ``comments.services``, so a comment sent
here meets every rule a comment sent from a page meets: the pipeline, rate limits, bans and
the policy tick.
"""

from django.conf import settings
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from comments import pipeline, review, selectors, services
from comments.forms import CommentForm, ReportForm, timing_token
from comments.models import Comment
from comments.views import posted_message
from consultations.models import Consultation
from core.api.common import DeliverableEmailField, LinkField, Pagination, StrictSerializer
from core.api.errors import ErrorSerializer, form_errors, rate_limited, refused
from core.api.schema import NOT_BLANK, AutoSchema
from core.api.views import ConditionalGetMixin
from core.client_address import client_address
from moderation import selectors as moderation_selectors
from moderation.models import PolicyVersion
from policies.models import PolicyAnalysis
from webinars.models import Webinar

Status = Comment.Status


class State:
    """How a comment stands, as its author is told: spam is not revealed, a rejection is, as on the page."""

    PUBLISHED = "published"
    PENDING = "pending"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    NOT_PUBLISHED = "not_published"
    REMOVED = "removed"
    CHOICES = [PUBLISHED, PENDING, AWAITING_CONFIRMATION, NOT_PUBLISHED, REMOVED]

    @classmethod
    def of(cls, comment: Comment) -> str:
        if getattr(comment, "placeholder", False):
            return cls.REMOVED
        if comment.status == Status.APPROVED:
            return cls.PUBLISHED
        if comment.status == Status.UNCONFIRMED:
            return cls.AWAITING_CONFIRMATION
        if comment.status == Status.REJECTED:
            return cls.NOT_PUBLISHED
        return cls.PENDING


# --- Reading -----------------------------------------------------------------------------------


class CommentSerializer(serializers.Serializer):
    """A comment as the public sees it. A removed comment with visible replies keeps its place, empty."""

    id = serializers.IntegerField()
    # DRF's metaclass moves declared fields into _declared_fields; this is the API's field, not Field.parent.
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    depth = serializers.IntegerField()
    state = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    declaration_of_interest = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(
        help_text=(
            "The text exactly as typed, not escaped: escape it before putting it in HTML. "
            "Empty for a removed comment kept for its replies."
        )
    )
    text_html = serializers.SerializerMethodField(
        help_text="The text as typed, escaped, with its line breaks kept and web addresses made links."
    )
    created_at = serializers.DateTimeField()
    edited = serializers.BooleanField(source="is_edited")
    html_url = LinkField("comments:permalink", lookup_field="pk", help_text="The comment in its page on the site.")

    @extend_schema_field(serializers.ChoiceField(choices=State.CHOICES))
    def get_state(self, comment: Comment) -> str:
        return State.of(comment)

    def _shown(self, comment: Comment, value: str) -> str:
        return "" if getattr(comment, "placeholder", False) else value

    def get_author_name(self, comment: Comment) -> str:
        return self._shown(comment, comment.author_name)

    def get_organisation(self, comment: Comment) -> str:
        return self._shown(comment, comment.organisation)

    def get_declaration_of_interest(self, comment: Comment) -> str:
        return self._shown(comment, comment.declaration_of_interest)

    def get_text(self, comment: Comment) -> str:
        return self._shown(comment, comment.text)

    def get_text_html(self, comment: Comment) -> str:
        return self._shown(comment, comment.text_html)


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(many=True, help_text="Every reply in the thread, depth first; `parent` nests them.")


class ThreadPageSerializer(serializers.Serializer):
    pages = serializers.IntegerField(
        help_text="Pages of threads. A page holds whole threads, up to a number of threads and of comments."
    )
    comment_count = serializers.IntegerField(help_text="Published comments on the object.")
    accepts_comments = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ThreadSerializer(many=True)


def as_threads(comments: list[Comment]) -> list[Comment]:
    """Roots with their replies attached, from the flat depth-first list the selector returns."""
    threads: list[Comment] = []
    for comment in comments:
        if comment.depth == 0 or not threads:
            comment.replies_in_order = []
            threads.append(comment)
        else:
            threads[-1].replies_in_order.append(comment)
    return threads


# --- Writing -------------------------------------------------------------------------------------


@extend_schema_field({"type": "boolean", "enum": [True]})
class TickedField(serializers.BooleanField):
    """A box that must be ticked: the form refuses anything else, so the schema allows only true."""


class CommentInputSerializer(StrictSerializer):
    """What a commenter sends; the site's comment form then applies its rules to it."""

    text = serializers.CharField(trim_whitespace=False)  # Built in get_fields.
    accept_policy = TickedField(help_text="Must be true: you have read and accept the comment policy.")
    issued = serializers.CharField(
        help_text="The `issued` token from GET /api/v1/comment-policy/, fetched when you start writing."
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="Required for guests; ignored when signed in."
    )
    email = DeliverableEmailField(
        required=False, allow_blank=True, help_text="Required for guests, to confirm the comment; never published."
    )
    # As in CommentSerializer: the API's field, not Field.parent.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="The id of the comment replied to."
    )
    notify_replies = serializers.BooleanField(required=False, default=False)
    on_behalf = serializers.BooleanField(
        required=False, default=False, help_text="Responding for an organisation: then give its name and a declaration."
    )
    organisation = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    declaration_of_interest = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    # OrganisationMixin.clean: on behalf of an organisation, its name and a declaration are needed.
    schema_rules = {
        "anyOf": [
            {"properties": {"on_behalf": {"enum": [False]}}},
            {
                "properties": {
                    "organisation": {"pattern": NOT_BLANK},
                    "declaration_of_interest": {"pattern": NOT_BLANK},
                },
                "required": ["organisation", "declaration_of_interest"],
            },
        ]
    }

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The form's limit, built per serializer like the form's field, so a changed COMMENTS_MAX_LENGTH applies.
        fields["text"] = serializers.CharField(
            trim_whitespace=False, max_length=settings.COMMENTS_MAX_LENGTH, help_text="Your comment, as plain text."
        )
        return fields


class SubmittedSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.CHOICES, help_text="Never `removed` for a new comment.")
    message = serializers.CharField()
    comment = CommentSerializer()
    review_url = serializers.URLField(
        allow_null=True,
        help_text=(
            "For a comment the automatic checks did not publish (`not_published`): the page that says why and "
            "where its author may ask a moderator to review it, once. Null otherwise."
        ),
    )


def refusal_error(refusal: services.CommentRefused) -> APIException:
    """409 when the page or comment does not allow it as it stands, 429 when it is too soon; 400 stays for fields."""
    if refusal.kind == pipeline.Refusal.RATE_LIMITED:
        return rate_limited(str(refusal), wait=refusal.retry_after)
    return refused(str(refusal))


def comment_submit_from_api(*, request: Request, target: Model, data: dict) -> Comment:
    form = CommentForm({**data, "website": ""}, target=target, user=request.user)
    if not form.is_valid():
        raise form_errors(form)
    cleaned = form.cleaned_data
    try:
        return services.comment_submit(
            target=target,
            text=cleaned["text"],
            author_name=cleaned["name"],
            author_email=cleaned["email"],
            user=request.user,
            parent=cleaned["parent"],
            ip_address=client_address(request),
            honeypot="",
            seconds_to_write=form.seconds_to_write,
            organisation=cleaned["organisation"],
            declaration_of_interest=cleaned["declaration_of_interest"],
            notify_replies=cleaned["notify_replies"],
        )
    except services.CommentRefused as refusal:
        raise refusal_error(refusal) from None


# --- Discussions: /<objects>/<slug>/comments/ -------------------------------------------------------

PAGE = OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="A page of threads.")


class OneObjectSchema(AutoSchema):
    """A "list" here answers one object (a page of threads, the policy), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class DiscussionViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """The comments under one object, and the way to add one."""

    schema = OneObjectSchema()
    permission_classes = [AllowAny]
    queryset = Comment.objects.none()
    lookup_field = "slug"
    pagination_class = None

    def target_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_target(self) -> Model:
        return get_object_or_404(self.target_queryset(), slug=self.kwargs["slug"])

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return CommentInputSerializer if self.action == "create" else ThreadPageSerializer

    def list(self, request: Request, slug: str) -> Response:
        page_number = Pagination._positive_int(request, "page", default=1, maximum=None)
        target = self.get_target()
        section = selectors.comment_section(
            target=target, user=request.user, page_number=page_number, columns=selectors.API_COLUMNS
        )
        if section.page.number != page_number:
            raise NotFound(_("There is no page %(page)s of comments.") % {"page": page_number})
        context = self.get_serializer_context()
        threads = [
            {
                **CommentSerializer(root, context=context).data,
                "replies": CommentSerializer(root.replies_in_order, many=True, context=context).data,
            }
            for root in as_threads(section.comments)
        ]
        return Response(
            {
                "pages": section.page.num_pages,
                "comment_count": section.count,
                "accepts_comments": not section.closed,
                "next": self._page_link(request, section.page.next_page_number if section.page.has_next else None),
                "previous": self._page_link(
                    request, section.page.previous_page_number if section.page.has_previous else None
                ),
                "results": threads,
            }
        )

    def create(self, request: Request, slug: str) -> Response:
        target = self.get_target()
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_submit_from_api(request=request, target=target, data=serializer.validated_data)
        review_url = None
        if comment.status == Status.REJECTED and review.review_state(comment).may_ask:
            review_url = request.build_absolute_uri(review.not_published_url(comment))
        body = {
            "state": State.of(comment),
            "message": posted_message(comment),
            "comment": CommentSerializer(comment, context=self.get_serializer_context()).data,
            "review_url": review_url,
        }
        location = reverse("api:comment-detail", kwargs={"pk": comment.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _page_link(request: Request, number: int | None) -> str | None:
        if number is None:
            return None
        query = request.query_params.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def discussion_schema(noun: str) -> dict:
    return {
        "list": extend_schema(
            summary=f"Read the comments on {noun}",
            description=(
                "Published comments as threads, oldest thread first, a page of threads at a time. "
                "Signed-in readers also see their own comments that wait for moderation."
            ),
            parameters=[PAGE],
            responses=ThreadPageSerializer,
        ),
        "create": extend_schema(
            summary=f"Comment on {noun}, or reply to a comment",
            description=(
                "Fetch GET /api/v1/comment-policy/ first: accept its policy and send back its `issued` "
                "token. Guests give a name and an email address and are sent a link to confirm it; "
                "the response says whether the comment is published, pending moderation or awaiting "
                "that confirmation."
            ),
            request=CommentInputSerializer,
            responses={
                201: SubmittedSerializer,
                409: OpenApiResponse(
                    ErrorSerializer,
                    description=(
                        "Refused as things stand: comments are closed here, or the comment policy is not yet "
                        "published. `detail` says which. A comment sent too soon after your last one is a 429."
                    ),
                ),
            },
        ),
    }


@extend_schema(tags=["comments"])
@extend_schema_view(**discussion_schema("an analysis"))
class AnalysisDiscussionViewSet(DiscussionViewSet):
    def target_queryset(self) -> QuerySet:
        return PolicyAnalysis.objects.visible_to(self.request.user)


@extend_schema(tags=["comments"])
@extend_schema_view(**discussion_schema("a webinar"))
class WebinarDiscussionViewSet(DiscussionViewSet):
    def target_queryset(self) -> QuerySet:
        return Webinar.objects.all()


@extend_schema(tags=["comments"])
@extend_schema_view(**discussion_schema("a consultation"))
class ConsultationDiscussionViewSet(DiscussionViewSet):
    def target_queryset(self) -> QuerySet:
        return Consultation.objects.published()


# --- Single comments: /comments/<id>/ ----------------------------------------------------------------


class ReportInputSerializer(StrictSerializer):
    clause = serializers.IntegerField(min_value=1, help_text="The id of the policy clause the comment breaks.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Anything moderators should know."
    )


class ReportedSerializer(serializers.Serializer):
    message = serializers.CharField()


@extend_schema(tags=["comments"])
@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a comment",
        description="A published comment, or your own while it waits.",
        responses=CommentSerializer,
    ),
    report=extend_schema(
        summary="Report a comment",
        description="Say which clause of the comment policy it breaks. One report per person per comment.",
        request=ReportInputSerializer,
        responses={
            201: ReportedSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="You have already reported this comment, or it is no longer published.",
            ),
        },
    ),
)
class CommentViewSet(ConditionalGetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Comment]:
        return Comment.objects.only(*selectors.API_COLUMNS, "policy_version_id")

    def get_object(self) -> Comment:
        comment = super().get_object()
        if not selectors.is_visible(comment, set(), self.request.user):
            raise NotFound()
        return comment

    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], serializer_class=ReportInputSerializer)
    def report(self, request: Request, pk: str) -> Response:
        comment = get_object_or_404(Comment, pk=pk, status=Status.APPROVED)
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = ReportForm(serializer.validated_data, version=comment.policy_version)
        if not form.is_valid():
            raise form_errors(form)
        try:
            services.comment_report(comment=comment, user=request.user, **form.cleaned_data)
        except services.CommentRefused as refusal:
            raise refusal_error(refusal) from None
        message = _("Thank you. The moderators will look at this comment.")
        return Response({"message": message}, status=status.HTTP_201_CREATED)


# --- The comment policy -------------------------------------------------------------------------------


class ClauseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()


class CommentPolicySerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number")
    effective_at = serializers.DateTimeField()
    text_html = serializers.CharField()
    clauses = ClauseSerializer(many=True)
    max_length = serializers.SerializerMethodField(help_text="The longest comment accepted, in characters.")
    issued = serializers.SerializerMethodField(
        help_text="Send this back with your comment. Fetch it when you start writing: it records when you began."
    )

    def get_max_length(self, version: PolicyVersion) -> int:
        return settings.COMMENTS_MAX_LENGTH

    def get_issued(self, version: PolicyVersion) -> str:
        return timing_token()


@extend_schema(tags=["comments"])
@extend_schema_view(
    list=extend_schema(
        summary="Read the comment policy",
        description="The version in force, its numbered clauses, and the `issued` token a new comment sends back.",
        responses=CommentPolicySerializer,
    )
)
class CommentPolicyViewSet(viewsets.GenericViewSet):
    schema = OneObjectSchema()
    permission_classes = [AllowAny]
    queryset = PolicyVersion.objects.none()
    serializer_class = CommentPolicySerializer
    pagination_class = None

    def list(self, request: Request) -> Response:
        version = moderation_selectors.policy_in_force()
        if version is None:
            raise NotFound(_("There is no comment policy yet, so comments are not open."))
        return Response(CommentPolicySerializer(version, context=self.get_serializer_context()).data)
