from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.markdown import figure_slugs, render_markdown
from policies.models import Figure, PolicyAnalysis, QuoteCitation
from webinars.models import Quote


def analysis_for_page(*, slug: str, user: User | AnonymousUser) -> PolicyAnalysis:
    """One analysis with everything its page shows, in a fixed number of queries.

    Drafts and analyses scheduled for later exist only for editors; anyone else gets a 404.
    """
    citations = QuoteCitation.objects.select_related("quote__speaker", "quote__webinar")
    queryset = (
        PolicyAnalysis.objects.visible_to(user)
        .select_related("author")
        .prefetch_related("topics", "reports", Prefetch("citations", queryset=citations))
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
