"""The API's one error shape: ``{"detail": str, "code": str, "errors": {field: [message, ...]}}``.

Every 4xx the API returns has it, whether DRF, django-filter, the URL resolver or
Django's request parsing raised the problem, so a client needs one error branch.
"""

from typing import Any, TypedDict

from django import forms
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.api.common import RequestTooLarge


class ErrorBody(TypedDict):
    detail: str
    code: str
    errors: dict[str, list[str]]


class ErrorSerializer(serializers.Serializer[ErrorBody]):
    """Documents the error shape in the schema; errors are built by ``error_body``."""

    detail = serializers.CharField(help_text="A sentence saying what went wrong.")
    code = serializers.CharField(help_text="A stable, machine-readable code, for example `invalid` or `throttled`.")
    # DRF's serializer metaclass takes declared fields out of the class, so Serializer.errors stays a property.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Messages per input field (dotted paths for nested fields; `non_field_errors` for the body "
            "as a whole). Empty when the problem is not about the input."
        ),
    )


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        flat = {}
        for index, item in enumerate(errors):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in messages]}


def _first_code(codes: Any) -> str:
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes) if codes else "error"


def error_body(exc: exceptions.APIException) -> ErrorBody:
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        return {
            "detail": _("The request has invalid input; see the messages for each field."),
            "code": _first_code(exc.get_codes()),
            "errors": _flatten(errors),
        }
    if isinstance(exc, exceptions.ParseError):
        return {"detail": str(exc.detail), "code": "parse_error", "errors": {"non_field_errors": [str(exc.detail)]}}
    detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
    return {"detail": str(detail), "code": _first_code(exc.get_codes()), "errors": {}}


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(_("The request could not be read."))
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (headers such as Retry-After and WWW-Authenticate), with the body reshaped."""
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # DRF's handler answers those only, once Django's are converted
    response.data = error_body(exc)
    return response


def form_errors(form: forms.BaseForm) -> exceptions.ValidationError:
    """A Django form's errors as the API's field errors, so a form shared with the site checks API input."""
    # An ErrorList yields each error's message (the stubs type its items as the ValidationErrors it holds).
    errors: dict[str, list[str]] = {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }
    return exceptions.ValidationError(errors)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the present state of the object.")
    default_code = "conflict"


class RateLimited(exceptions.Throttled):
    """A service's own rate limit: its message as the detail, and Retry-After, with DRF's ``throttled`` code."""

    def __init__(self, message: str, *, wait: int | None = None):
        exceptions.APIException.__init__(self, message, self.default_code)
        self.wait = wait


def refused(message: str) -> Conflict:
    """A service declined the request as a whole because of the state things are in (409, code ``conflict``).

    Field problems stay 400 ``ValidationError``s; the message here goes in ``detail``, ``errors`` is empty.
    """
    return Conflict(message)


def rate_limited(message: str, *, wait: int | None = None) -> RateLimited:
    """A service declined the request as too soon after the last one (429, code ``throttled``, Retry-After)."""
    return RateLimited(message, wait=wait)


@csrf_exempt
def not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Any /api/ address no route matches, whatever the method: the error shape rather than the site's HTML page."""
    return JsonResponse(error_body(exceptions.NotFound()), status=status.HTTP_404_NOT_FOUND)
