"""Published analyses an editor can pull into a newsletter issue."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.registry import NewsletterBlockSource, NewsletterItem
from policies.models import PolicyAnalysis

PICKER_LIMIT = 200


def analysis_choices() -> list[tuple[int, str]]:
    analyses = PolicyAnalysis.objects.published().order_by("-publish_at", "-pk").only("pk", "title")
    return [(analysis.pk, analysis.title) for analysis in analyses[:PICKER_LIMIT]]


def analysis_items(ids: list[int]) -> dict[int, NewsletterItem]:
    analyses = PolicyAnalysis.objects.published().filter(pk__in=ids).only("pk", "title", "slug", "standfirst")
    return {
        analysis.pk: NewsletterItem(
            title=analysis.title,
            standfirst=analysis.standfirst,
            url=f"{settings.SITE_URL}{analysis.get_absolute_url()}",
            label=str(_("Analysis")),
        )
        for analysis in analyses
    }


NEWSLETTER_SOURCE = NewsletterBlockSource(
    key="policies.policyanalysis", label=str(_("Analyses")), choices=analysis_choices, items=analysis_items
)
