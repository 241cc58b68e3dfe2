"""The site's URLs plus two that fail on purpose, so the browser tests can see the 403 and 500 pages
as a visitor does. Used only as ROOT_URLCONF inside a test; never routed in the site."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A failure the 500 page is shown for (tests/e2e/error_urls.py).")


urlpatterns = [
    path("test-errors/403/", forbidden, name="test_forbidden"),
    path("test-errors/500/", broken, name="test_broken"),
    *site_urlpatterns,
]
