from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.page_cache import cached_for_anonymous, page_depends_on, page_expires_in
from webinars.models import Appearance, Quote, Speaker, Webinar


@require_GET
def webinar_list(request: HttpRequest) -> HttpResponse:
    context = {"upcoming": Webinar.objects.upcoming(), "past": Webinar.objects.past()}
    return render(request, "webinars/webinar_list.html", context)


@require_GET
@cached_for_anonymous
def webinar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The webinar, its speakers and quotes, its topics, and the analyses that cite it.
    page_depends_on(request, "webinars", "topics", "policies")
    appearances = Appearance.objects.select_related("speaker")
    quotes = Quote.objects.select_related("speaker")
    webinar = get_object_or_404(
        Webinar.objects.prefetch_related(
            Prefetch("appearances", queryset=appearances), Prefetch("quotes", queryset=quotes), "topics"
        ),
        slug=slug,
    )
    if webinar.is_upcoming:  # the registration link gives way to the recording when it ends
        page_expires_in(request, (webinar.ends_at - timezone.now()).total_seconds())
    return render(request, "webinars/webinar_detail.html", {"webinar": webinar})


@require_GET
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = get_object_or_404(
        Speaker.objects.prefetch_related(
            Prefetch(
                "appearances", queryset=Appearance.objects.select_related("webinar").order_by("-webinar__starts_at")
            ),
            Prefetch("quotes", queryset=Quote.objects.select_related("webinar")),
        ),
        slug=slug,
    )
    return render(request, "webinars/speaker_detail.html", {"speaker": speaker})
