from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.page_cache import cached_for_anonymous, page_depends_on
from policies.models import Author, PolicyAnalysis
from policies.selectors import (
    analysis_for_page,
    analysis_page_blocks,
    related_reading,
    webinar_block,
    webinars_on_topic,
)
from topics.models import Topic
from webinars.models import Webinar

ANALYSES_PER_PAGE = 10


def _page(request: HttpRequest, queryset, per_page: int = ANALYSES_PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    latest = PolicyAnalysis.objects.published().for_listing()[:6]
    webinars = Webinar.objects.upcoming()[:3]
    return render(request, "policies/home.html", {"analyses": latest, "webinars": webinars})


@require_GET
def analysis_list(request: HttpRequest) -> HttpResponse:
    analyses = PolicyAnalysis.objects.published().for_listing()
    topic = None
    if slug := request.GET.get("topic"):
        topic = get_object_or_404(Topic, slug=slug)
        analyses = analyses.filter(topics=topic)
    context = {"page": _page(request, analyses), "topic": topic, "topics": Topic.objects.all()}
    return render(request, "policies/analysis_list.html", context)


@require_GET
@cached_for_anonymous
def analysis_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The analysis, its author, reports and citations; the quotes' speakers and webinars; its topics.
    page_depends_on(request, "policies", "webinars", "topics")
    analysis = analysis_for_page(slug=slug, user=request.user)
    block = webinar_block(analysis)
    updates = list(analysis.updates.all())
    context = {
        "analysis": analysis,
        "blocks": analysis_page_blocks(analysis=analysis),
        "is_preview": not analysis.is_published,
        "webinar_block": block,
        "related": related_reading(analysis),
        "updates": updates,
        "last_updated": updates[0].made_at if updates else None,
    }
    response = render(request, "policies/analysis_detail.html", context)
    if not analysis.is_published:
        response["X-Robots-Tag"] = "noindex"
    if block and block.player:
        # The recording's player is the one frame the site shows, and only on the page that offers it.
        response._csp_update = {"frame-src": [block.player.origin]}  # type: ignore[attr-defined]
    return response


@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/topic_list.html", {"topics": Topic.objects.all()})


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    analyses = PolicyAnalysis.objects.published().for_listing().filter(topics=topic)
    context = {"topic": topic, "page": _page(request, analyses), "webinars": webinars_on_topic(topic.pk)}
    return render(request, "policies/topic_detail.html", context)


@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    analyses = PolicyAnalysis.objects.published().for_listing().filter(author=author)
    return render(request, "policies/author_detail.html", {"author": author, "page": _page(request, analyses)})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain")
