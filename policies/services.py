"""An analysis announces itself: to the subscribers of its topics when published, once. Its pictures
get their renditions when they are saved, never while a page is being read."""

from datetime import datetime
from typing import Any

from django.db.models.fields.files import FieldFile

from core.images import renditions_delete, renditions_make
from notifications.models import Broadcast
from notifications.services.broadcasts import announce_each, announcement_fan_out, not_announced
from policies.models import Figure, PolicyAnalysis

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


def figure_renditions_refresh(*, figure: Figure) -> None:
    """Make the figure's renditions from its current image, deleting those of the image it replaced."""
    figure.renditions = _renditions_replace(figure.image, figure.renditions)
    Figure.objects.filter(pk=figure.pk).update(renditions=figure.renditions)


def analysis_hero_renditions_refresh(*, analysis: PolicyAnalysis) -> None:
    analysis.hero_renditions = _renditions_replace(analysis.hero_image, analysis.hero_renditions)
    PolicyAnalysis.objects.filter(pk=analysis.pk).update(hero_renditions=analysis.hero_renditions)


def _renditions_replace(field_file: FieldFile, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    renditions_delete(field_file.storage, previous)
    return renditions_make(field_file) if field_file else []
