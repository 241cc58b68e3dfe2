"""Moderation through the API, for staff: the queues, what is in them, and decisions.

Staff see here what the admin shows them (the author's address and the automatic checks'
reasons among it); decisions are checked by the admin's DecisionForm and made by
``comments.decisions.comment_moderate``, which refuses stale or claimed decisions.
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from comments import decisions, queues
from comments.forms import DecisionForm
from comments.models import Comment
from comments.permissions import CanModerate, CanSeeComments
from comments.pipeline import reason_label
from core.api.common import Pagination, StrictSerializer
from core.api.errors import ErrorSerializer, form_errors, refused
from core.api.schema import AutoSchema
from core.pagination import CappedPaginator

QUEUES = {queue.key: queue for queue in queues.QUEUES}


class QueueSerializer(serializers.Serializer):
    key = serializers.CharField(source="queue.key")
    # DRF's metaclass moves declared fields into _declared_fields; this is the API's field, not Field.label.
    label = serializers.CharField(source="queue.label")  # type: ignore[assignment]
    count = serializers.IntegerField(source="shown", help_text="Counted up to a cap; see `more`.")
    more = serializers.BooleanField(help_text="True when the queue holds more than `count`.")
    oldest_at = serializers.DateTimeField(allow_null=True, help_text="For the pending queue: the longest wait.")
    url = serializers.SerializerMethodField()

    def get_url(self, count: queues.QueueCount) -> str:
        path = reverse("api:moderation-queue-detail", kwargs={"key": count.queue.key})
        return self.context["request"].build_absolute_uri(path)


class ReportSummarySerializer(serializers.Serializer):
    clause = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class TargetSerializer(serializers.Serializer):
    kind = serializers.CharField(source="_meta.model_name")
    title = serializers.CharField(source="__str__")
    html_url = serializers.SerializerMethodField()

    def get_html_url(self, target) -> str:
        return self.context["request"].build_absolute_uri(target.get_absolute_url())


class StaffCommentSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    open_reports = ReportSummarySerializer(source="open_flags", many=True)
    parent_text = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "status",
            "target",
            "parent",
            "parent_text",
            "author_name",
            "author_email",
            "user",
            "organisation",
            "declaration_of_interest",
            "text",
            "reasons",
            "open_reports",
            "created_at",
            "edited_at",
            "status_changed_at",
        ]

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, comment: Comment) -> dict | None:
        return TargetSerializer(comment.target, context=self.context).data if comment.target else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, comment: Comment) -> list[str]:
        return [str(reason_label(reason)) for reason in comment.reasons]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent_text(self, comment: Comment) -> str | None:
        return comment.parent.text if comment.parent is not None else None


class DecisionInputSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=decisions.Action.choices)
    seen_status = serializers.ChoiceField(
        choices=Comment.Status.choices,
        help_text="The status you saw; if it changed meanwhile the decision is refused and says who decided.",
    )
    clause = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of the clause broken: needed to reject or remove.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Sent to the commenter."
    )

    # DecisionForm.clean: rejecting or removing cites a clause.
    schema_rules = {
        "anyOf": [
            {
                "properties": {
                    "action": {
                        "enum": [action.value for action in decisions.Action if action not in decisions.NEEDS_CLAUSE]
                    }
                }
            },
            {"properties": {"clause": {"type": "integer"}}, "required": ["clause"]},
        ]
    }


class QueuePagination(Pagination):
    django_paginator_class = CappedPaginator


class QueueSchema(AutoSchema):
    """Only a queue's comments are paged; the queues themselves are a short fixed list."""

    def _get_paginator(self):
        return None if self.view.action == "list" else super()._get_paginator()


@extend_schema(tags=["moderation"])
@extend_schema_view(
    list=extend_schema(
        summary="List the moderation queues",
        description="Each queue with a capped count.",
        operation_id="moderation_queues_list",
    ),
    retrieve=extend_schema(
        summary="List the comments in a queue",
        operation_id="moderation_queue_comments_list",
        description="In the queue's order, as the admin shows them, with the author's address and open reports.",
        parameters=[OpenApiParameter("key", str, "path", enum=list(QUEUES))],
        responses=StaffCommentSerializer(many=True),
    ),
)
class QueueViewSet(viewsets.GenericViewSet):
    schema = QueueSchema()
    permission_classes = [CanSeeComments]
    queryset = Comment.objects.none()
    lookup_field = "key"
    lookup_value_regex = "|".join(QUEUES)
    pagination_class = QueuePagination

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return StaffCommentSerializer if self.action == "retrieve" else QueueSerializer

    def list(self, request: Request) -> Response:
        return Response(QueueSerializer(queues.queue_counts(), many=True, context={"request": request}).data)

    def retrieve(self, request: Request, key: str) -> Response:
        queue = QUEUES.get(key)
        if queue is None:
            raise NotFound()
        page = self.paginate_queryset(self.queue_comments(queue))
        return self.get_paginated_response(StaffCommentSerializer(page, many=True, context={"request": request}).data)

    @staticmethod
    def queue_comments(queue: queues.Queue) -> QuerySet[Comment]:
        reports = queues.open_reports().select_related("clause")
        return (
            queue.queryset()
            .select_related("parent")
            .prefetch_related(Prefetch("flags", queryset=reports, to_attr="open_flags"), "target")
            .order_by(*queue.ordering)
        )


@extend_schema(tags=["moderation"])
@extend_schema_view(
    decide=extend_schema(
        summary="Decide on a comment",
        description=(
            "Approve, reject (with a clause), mark as spam, remove (with a clause) or send back to the queue. "
            "The commenter is emailed as when a moderator decides in the admin."
        ),
        request=DecisionInputSerializer,
        responses={
            200: StaffCommentSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Refused as the comment stands: another moderator decided first (`detail` says who and "
                    "when), holds a claim on it, or the action does not apply to its status."
                ),
            ),
        },
    )
)
class DecisionViewSet(viewsets.GenericViewSet):
    permission_classes = [CanModerate]
    queryset = Comment.objects.none()
    lookup_value_regex = r"[0-9]{1,18}"

    @action(detail=True, methods=["post"], url_path="decision", serializer_class=DecisionInputSerializer)
    def decide(self, request: Request, pk: str) -> Response:
        comment = get_object_or_404(Comment, pk=pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = DecisionForm(serializer.validated_data, comment=comment)
        if not form.is_valid():
            raise form_errors(form)
        try:
            decisions.comment_moderate(
                comment=comment,
                action=form.cleaned_data["action"],
                moderator=request.user,
                clause=form.cleaned_data["clause"],
                note=form.cleaned_data["note"],
                expected_status=form.cleaned_data["seen_status"],
            )
        except decisions.ModerationError as refusal:
            raise refused(str(refusal)) from None
        decided = QueueViewSet.queue_comments(queues.ALL).get(pk=comment.pk)
        return Response(StaffCommentSerializer(decided, context={"request": request}).data)
