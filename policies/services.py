"""An analysis announces itself: to the subscribers of its topics when published, once."""

from datetime import datetime

from notifications.models import Broadcast
from notifications.services.broadcasts import announce_each, announcement_fan_out, not_announced
from policies.models import PolicyAnalysis

ANALYSIS_PUBLISHED = "analysis_published"


def analysis_announce(*, analysis: PolicyAnalysis) -> Broadcast | None:
    """Announce a published analysis; a scheduled one is announced by the beat job when its time comes."""
    if not analysis.is_published:
        return None
    return announcement_fan_out(
        about=analysis,
        template="analysis-published",
        context={},
        kind=ANALYSIS_PUBLISHED,
        key=f"analysis-published:{analysis.pk}",
        audience=Broadcast.Audience.ANALYSES,
    )


def analyses_announce_due(since: datetime) -> int:
    """Announce the analyses published since ``since`` (a scheduled one reaching its time) and not yet announced."""
    due = PolicyAnalysis.objects.published().filter(
        not_announced(PolicyAnalysis, ANALYSIS_PUBLISHED), publish_at__gte=since
    )
    return announce_each(due, lambda analysis: analysis_announce(analysis=analysis))
