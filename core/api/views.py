"""Base classes for API views."""

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

_M = TypeVar("_M", bound=Model)


class ConditionalGetMixin(APIView):
    """ETag (a hash of the body) on every successful read, Last-Modified where the view knows it,
    and 304 Not Modified when the client's copy is current."""

    last_modified: datetime | None = None

    # The stubs say a DRF Response comes back; DRF hands Django any HttpResponse, here a 304 or 412 in its place.
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        # What a signed-in reader gets may differ (an editor sees drafts, an author their waiting
        # comments), so shared caches must key on the credentials and never keep a personal answer.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        response.render()
        set_response_etag(response)
        if self.last_modified:
            response.headers["Last-Modified"] = http_date(self.last_modified.timestamp())
        conditional = get_conditional_response(
            request, etag=response.headers["ETag"], last_modified=self._last_modified_seconds(), response=response
        )
        assert conditional is not None  # given a response, Django returns it or the 304 or 412 that replaces it
        return conditional

    def _last_modified_seconds(self) -> int | None:
        return int(self.last_modified.timestamp()) if self.last_modified else None


def latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment]
    return max(present) if present else None


class PublicReadViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet[_M]):
    """List and detail of public content, looked up by slug."""

    permission_classes = [AllowAny]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_object(self) -> _M:
        obj = super().get_object()
        self.last_modified = getattr(obj, "updated_at", None)
        return obj
