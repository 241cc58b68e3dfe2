"""What site search may find among analyses: the published ones (never drafts or future schedules).

On PostgreSQL the weighted vector is the ``search_vector`` column, filled by a trigger from the title
(A), the standfirst (B) and the body (C) and covered by a GIN index, and another of its pairs of
neighbouring words for phrases (migration 0009); matches are ranked by ``search_rank_vector``, the same
with only the body's opening (migrations 0007 and 0010), which has a GIN index, and its title part
another, so the matches whose title, then whose head, holds the query are found first (0008, 0010).
"""

from typing import cast

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from core.search import Searchable
from policies.models import PolicyAnalysis


def searchable_analyses() -> QuerySet[PolicyAnalysis]:
    # AnalysisQuerySet is not parameterised by its model, so it is typed here.
    analyses = PolicyAnalysis.objects.published().annotate(
        search_title=F("title"), search_summary=F("standfirst"), search_body=F("body"), search_date=F("publish_at")
    )
    return cast("QuerySet[PolicyAnalysis]", analyses)


ANALYSES = Searchable(
    kind="analysis",
    label=_("Analysis"),
    queryset=searchable_analyses,
    stored_vector="search_vector",
    stored_rank_vector="search_rank_vector",
)
