"""The site's URLs plus a trivial view, the floor every page's throughput is compared with.

Only bench.settings uses this URLconf, so the trivial view is never part of the public site.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", trivial), *site_urlpatterns]
