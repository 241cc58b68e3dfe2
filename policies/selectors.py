from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from policies.models import PolicyAnalysis, QuoteCitation

if TYPE_CHECKING:
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


def analyses_citing(*, quotes: "QuerySet[Quote]") -> QuerySet[PolicyAnalysis]:
    return PolicyAnalysis.objects.published().filter(citations__quote__in=quotes).distinct().for_listing()
