"""Files attached to a response through the API, with the questionnaire's own checks.

A signed-in client starts a draft (``POST /api/v1/responses/``), attaches files to it
(``POST /api/v1/responses/<id>/attachments/``, multipart/form-data), removes them while it is a draft,
and sends its answers naming the draft (``draft`` in ``POST /api/v1/consultations/<slug>/responses/``),
so the files go with the response. Each file goes through ``services.attachment_add``, the path the
web questionnaire takes: the type read from the bytes, macros refused, the virus scan, the limits, the
private storage. Only the respondent, and analysts once the response is sent, can read or download them.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from consultations import services
from consultations.api.consultations import ResponseThrottle
from consultations.attachments import (
    KINDS,
    MB,
    QUESTION_REFUSES_FILES,
    CappedUploadHandler,
    file_response,
    too_large_message,
)
from consultations.models import Attachment, Consultation, Response
from core.api.common import CountingThrottle, StrictSerializer, UserThrottle

ANALYSE = "consultations.analyse_consultation"
RESPONSE_ID = OpenApiParameter(
    "response_id", int, OpenApiParameter.PATH, description="The response's `id` (`POST /api/v1/responses/`)."
)
KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, description="The attachment's `id`.")


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="key", read_only=True, help_text="Random; in the attachment's addresses.")
    question = serializers.IntegerField(source="question_id", read_only=True)
    name = serializers.CharField(source="filename", read_only=True, help_text="The file's name, cleaned.")
    type = serializers.SerializerMethodField(help_text="The media type read from the file's content.")
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    download_url = serializers.SerializerMethodField(
        help_text="Works for the respondent, and for analysts once the response is sent; for no one else."
    )

    class Meta:
        model = Attachment
        fields = ["id", "question", "name", "type", "kind", "size", "scanned", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_type(self, attachment: Attachment) -> str:
        return KINDS[attachment.kind].content_type

    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse(
            "api:response-attachment-download", kwargs={"response_id": attachment.response_id, "key": attachment.key}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentInputSerializer(StrictSerializer):
    question = serializers.IntegerField(min_value=1, help_text="The `id` of a question that `accepts_files`.")
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, Word (DOCX), OpenDocument text or plain text.")


class DraftInputSerializer(StrictSerializer):
    consultation = serializers.SlugField(help_text="The `slug` of an open consultation.")


class DraftSerializer(serializers.ModelSerializer):
    consultation: "serializers.SlugRelatedField[Consultation]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    status = serializers.ChoiceField(choices=Response.Status.choices, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = ["id", "consultation", "status", "started_at", "attachments"]
        read_only_fields = fields


class AttachmentThrottle(CountingThrottle):
    """Uploads from one address: each is stored and scanned, and a response holds a few files at most."""

    scope = "consultation_attachment"
    rate = "60/hour"

    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _refusal(error: DjangoValidationError) -> exceptions.ValidationError:
    """The service's refusal as a field error: the question's when it takes no files, the file's otherwise."""
    field = "question" if error.code == QUESTION_REFUSES_FILES else "file"
    return exceptions.ValidationError({field: error.messages})


@extend_schema(tags=["responses"])
@extend_schema_view(
    create=extend_schema(
        summary="Start a draft response",
        description=(
            "Signed in only. A draft holds the files you attach (`/api/v1/responses/{id}/attachments/`); send "
            "your answers with `draft` set to its `id` and the files go with the response."
        ),
        request=DraftInputSerializer,
        responses={201: DraftSerializer},
    ),
    list=extend_schema(summary="List your responses", description="Drafts and sent ones, newest first."),
    retrieve=extend_schema(summary="Read one of your responses", description="With the files attached to it."),
)
class DraftViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DraftSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Response]:
        # Another person's response is a 404, as if it did not exist.
        return (
            Response.objects.filter(user_id=self.request.user.pk or 0)
            .select_related("consultation")
            .prefetch_related("attachments")
            .order_by("-started_at", "-pk")
        )

    def create(self, request: Request, *args: object, **kwargs: object) -> ApiResponse:
        given = DraftInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        consultation = Consultation.objects.published().filter(slug=given.validated_data["consultation"]).first()
        if consultation is None:
            raise exceptions.ValidationError({"consultation": [_("No consultation has this slug.")]})
        try:
            draft = services.response_start(consultation=consultation, user=request.user)
        except services.ResponseClosed as refusal:
            raise exceptions.ValidationError({"consultation": [str(refusal)]}) from None
        body = DraftSerializer(draft, context=self.get_serializer_context()).data
        return ApiResponse(body, status=status.HTTP_201_CREATED)

    def get_throttles(self):
        if self.action == "create":
            return [ResponseThrottle(), UserThrottle()]
        return super().get_throttles()


@extend_schema(tags=["responses"], parameters=[RESPONSE_ID])
@extend_schema_view(
    list=extend_schema(summary="List a response's files"),
    retrieve=extend_schema(summary="Read one file's details", parameters=[KEY]),
    create=extend_schema(
        summary="Attach a file to a draft",
        description=(
            "multipart/form-data with `question` and `file`, checked as on the site: the type is read from the "
            "content (PDF, DOCX, ODT, plain text; documents with macros are refused), files are scanned for "
            "viruses where the site has a scanner, and the consultation's limits apply (size of each file, "
            "number and total size per response). Every refusal is a 400 naming `question`, `file` or `response`."
        ),
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a file from a draft",
        description="Only while the response is a draft: a sent response keeps its files (400).",
        parameters=[KEY],
        responses={204: None},
    ),
)
class ResponseAttachmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AttachmentSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    pagination_class = None
    lookup_field = "key"
    lookup_value_regex = "[-_a-zA-Z0-9]+"
    capped_upload: CappedUploadHandler | None = None

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method == "POST":
            # In front of Django's handlers before anything reads the body (the session's CSRF check does),
            # so a file past the consultation's limit is never read to the end.
            limit = _file_limit(str(kwargs.get("response_id", "")))
            self.capped_upload = CappedUploadHandler(request, limit=limit)
            request.upload_handlers.insert(0, self.capped_upload)
        return super().dispatch(request, *args, **kwargs)

    def response_for(self, *, changing: bool) -> Response:
        user = self.request.user
        visible = Q(user_id=user.pk or 0)
        if not changing and user.has_perm(ANALYSE):
            visible |= Q(status=Response.Status.SUBMITTED)
        responses = Response.objects.filter(visible).select_related("consultation", "late_link")
        return get_object_or_404(responses, pk=self.kwargs["response_id"])

    def get_queryset(self) -> QuerySet[Attachment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no response to look up
            return Attachment.objects.none()
        return self.response_for(changing=False).attachments.all()

    def create(self, request: Request, *args: object, **kwargs: object) -> ApiResponse:
        response = self.response_for(changing=True)
        given = AttachmentInputSerializer(data=request.data)  # the body is read here, through the capped handler
        if self.capped_upload is not None and self.capped_upload.oversized:
            raise exceptions.ValidationError(
                {"file": [too_large_message(self.capped_upload.file_name or "", response.consultation)]}
            )
        given.is_valid(raise_exception=True)
        question = response.consultation.questions.filter(pk=given.validated_data["question"]).first()
        if question is None:
            raise exceptions.ValidationError({"question": [_("This consultation has no question with this id.")]})
        try:
            attachment = services.attachment_add(
                response=response, question=question, upload=given.validated_data["file"]
            )
        except services.ResponseClosed as refusal:
            raise exceptions.ValidationError({"response": [str(refusal)]}) from None
        except DjangoValidationError as refusal:
            raise _refusal(refusal) from None
        body = AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return ApiResponse(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> ApiResponse:
        response = self.response_for(changing=True)
        try:
            removed = services.attachment_remove(response=response, key=str(kwargs["key"]))
        except services.ResponseClosed as refusal:
            raise exceptions.ValidationError({"response": [str(refusal)]}) from None
        if removed is None:
            raise exceptions.NotFound()
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download a file",
        description="As it was attached, under its cleaned name; never rendered by the browser.",
        parameters=[KEY],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: object, **kwargs: object) -> FileResponse:
        return file_response(self.get_object())

    def get_throttles(self):
        if self.action == "create":
            return [AttachmentThrottle(), UserThrottle()]
        return super().get_throttles()


def _file_limit(response_id: str) -> int:
    """The per-file limit of the response's consultation, read before the request is: 0 for no such response."""
    if not response_id.isdigit():
        return 0
    limit = Consultation.objects.filter(responses__pk=int(response_id)).values_list("attachment_max_file_mb", flat=True)
    return (limit.first() or 0) * MB
