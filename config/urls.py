from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.static import serve

from accounts import views as account_views
from accounts.admin import view_on_site
from consultations.sitemaps import ConsultationSitemap
from policies.sitemaps import AnalysisSitemap, AuthorSitemap, TopicSitemap
from policies.views import robots_txt
from webinars.sitemaps import SpeakerSitemap, WebinarSitemap

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = settings.SITE_NAME

# Each app lists its own pages; sitemap.xml gives the sections in this order.
SITEMAPS = {
    "analyses": AnalysisSitemap,
    "webinars": WebinarSitemap,
    "consultations": ConsultationSitemap,
    "topics": TopicSitemap,
    "authors": AuthorSitemap,
    "speakers": SpeakerSitemap,
}

urlpatterns = [
    # Ahead of the admin's own "View on site" redirect, which checks no model permission.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("privacy/", account_views.privacy_notice, name="privacy"),
    path("api/", include("config.api")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("notifications/", include("notifications.urls")),
    path("", include("search.urls")),
    path("", include("comments.urls")),
    path("", include("webinars.urls")),
    path("", include("consultations.urls")),
    path("", include("policies.urls")),
]

if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # The email provider's bounce, complaint and inbound-mail webhooks (notifications/receivers.py).
    urlpatterns.insert(0, path("anymail/", include("notifications.webhooks")))

if settings.SERVE_MEDIA:
    # Uploaded files; in production a web server or object storage serves them instead.
    urlpatterns.insert(0, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
