"""Requests no page can answer, refused with a 400 before any view or database sees them.

A NUL character in the path or the query string is never part of an address, a token or a
filter this site issues, and PostgreSQL refuses it in any string: reaching a query, it was a 500
(token links, the admin's list filters, the API's filters). One check here covers every URL,
including those added later; each view still answers its own malformed tokens.
"""

import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

NUL = "\x00"

# Where Django logs every other request refused as malformed.
log = logging.getLogger("django.security.NulInRequest")


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    return any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists())


def _errors(request: HttpRequest) -> dict[str, list[str]]:
    """The query parameters holding a NUL, each named as the API names a bad field; else the whole request."""
    message = _("Remove the NUL character.")
    named = {
        key.replace(NUL, ""): [message]
        for key, values in request.GET.lists()
        if NUL in key or any(NUL in value for value in values)
    }
    return named or {"non_field_errors": [_("The address has a NUL character in it.")]}


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul(request):
            return self.get_response(request)
        log.warning("Refused a request with a NUL character in its path or query string: %r", request.path)
        if request.path_info.startswith("/api/"):
            detail = _("The request could not be read: its address has a NUL character in it.")
            return JsonResponse({"detail": detail, "code": "parse_error", "errors": _errors(request)}, status=400)
        return bad_request(request, exception=BadRequest("NUL character in the path or query string"))
