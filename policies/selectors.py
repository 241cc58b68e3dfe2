from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.markdown import figure_slugs, render_markdown
from policies.models import Figure, PolicyAnalysis, QuoteCitation
from webinars.models import Appearance, Quote, Speaker, Webinar
from webinars.recordings import Player, recording_player

# Each kind of related reading lists at most this many, the most recent first.
RELATED_PER_KIND = 3


def analysis_for_page(*, slug: str, user: User | AnonymousUser) -> PolicyAnalysis:
    """One analysis with everything its page shows, in a fixed number of queries.

    Drafts and analyses scheduled for later exist only for editors; anyone else gets a 404.
    """
    citations = QuoteCitation.objects.select_related("quote__speaker", "quote__webinar")
    queryset = (
        PolicyAnalysis.objects.visible_to(user)
        .select_related("author", "featured_webinar")
        .prefetch_related(
            "topics",
            "reports",
            "updates",
            Prefetch("citations", queryset=citations),
            Prefetch("featured_webinar__appearances", queryset=Appearance.objects.select_related("speaker")),
            Prefetch("featured_webinar__quotes", queryset=Quote.objects.select_related("speaker").order_by("pk")),
        )
    )
    # AnalysisQuerySet is not parameterised by its model, so the lookup comes back untyped.
    analysis: PolicyAnalysis = get_object_or_404(queryset, slug=slug)
    return analysis


def analysis_page_blocks(*, analysis: PolicyAnalysis) -> list[dict[str, Any]]:
    """The analysis's body in blocks, its figures fetched in one query however many it places."""
    figures = figures_by_slug(slugs=figure_slugs(analysis.body_html))
    return analysis.body_blocks(list(analysis.citations.all()), figures=figures)


def figures_by_slug(*, slugs: list[str]) -> dict[str, Figure]:
    if not slugs:
        return {}
    return {figure.slug: figure for figure in Figure.objects.filter(slug__in=slugs)}


def analyses_citing(*, quotes: "QuerySet[Quote]") -> QuerySet[PolicyAnalysis]:
    return PolicyAnalysis.objects.published().filter(citations__quote__in=quotes).distinct().for_listing()


# An editor's analysis cites a handful of quotes; more citation rows than this in a preview are not a form.
PREVIEW_CITATIONS_MAX = 100


def analysis_preview_blocks(*, body: str, citations: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """An unsaved body as the analysis page would show it: the same Markdown sanitiser, each
    ``[[quote:N]]`` replaced by the quote cited at position N and each ``[[figure:slug]]`` by that
    figure. ``citations`` are (position, quote id).
    """
    wanted = citations[:PREVIEW_CITATIONS_MAX]
    by_id = Quote.objects.select_related("speaker").in_bulk([quote_id for _, quote_id in wanted])
    analysis = PolicyAnalysis(body=body, body_html=render_markdown(body))
    unsaved = [
        QuoteCitation(analysis=analysis, quote=by_id[quote_id], position=position)
        for position, quote_id in wanted
        if quote_id in by_id
    ]
    return analysis.body_blocks(unsaved, figures=figures_by_slug(slugs=figure_slugs(analysis.body_html)))


@dataclass
class WebinarVoice:
    """A speaker in the webinar block: their part in it and what they said there."""

    speaker: Speaker
    part: str
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class WebinarBlock:
    webinar: Webinar
    voices: list[WebinarVoice]
    player: Player | None


def webinar_block(analysis: PolicyAnalysis) -> WebinarBlock | None:
    """ "Looking back on our webinar" from what ``analysis_for_page`` prefetched: no query of its own.

    Speakers come in the webinar's order; a quote from someone with no appearance still gets a voice.
    """
    webinar = analysis.featured_webinar
    if webinar is None:
        return None
    voices = {
        appearance.speaker_id: WebinarVoice(appearance.speaker, appearance.get_role_display())
        for appearance in webinar.appearances.all()
    }
    for quote in webinar.quotes.all():
        voices.setdefault(quote.speaker_id, WebinarVoice(quote.speaker, "")).quotes.append(quote)
    player = recording_player(webinar.recording_url) if webinar.recording_url else None
    return WebinarBlock(webinar, list(voices.values()), player)


@dataclass
class RelatedReading:
    analyses: list[PolicyAnalysis]
    webinars: list[Webinar]

    def __bool__(self) -> bool:
        return bool(self.analyses or self.webinars)


def related_reading(analysis: PolicyAnalysis) -> RelatedReading:
    """Other published analyses and the webinars filed under the same topics, the most recent first:
    one query for each kind, none without topics. The featured webinar is shown above, so not again.

    Open consultations join them on the page through ``{% consultations_on %}``: consultations sit
    above policies and are not imported here.
    """
    topic_ids = [topic.pk for topic in analysis.topics.all()]
    if not topic_ids:
        return RelatedReading([], [])
    analyses = (
        PolicyAnalysis.objects.published()
        .filter(topics__in=topic_ids)
        .exclude(pk=analysis.pk)
        .distinct()
        .order_by("-publish_at", "-pk")[:RELATED_PER_KIND]
    )
    webinars = (
        Webinar.objects.filter(topics__in=topic_ids)
        .exclude(pk=analysis.featured_webinar_id or 0)
        .distinct()
        .order_by("-starts_at", "-pk")[:RELATED_PER_KIND]
    )
    return RelatedReading(list(analyses), list(webinars))


def webinars_on_topic(topic_id: int) -> list[Webinar]:
    """Every webinar filed under the topic, the most recent first: one query."""
    return list(Webinar.objects.filter(topics=topic_id).order_by("-starts_at", "-pk"))
