"""Writes to analyses: saving one as a new version (and the update readers see), restoring an earlier
version, announcing it to the subscribers of its topics when published, once, and making its pictures'
renditions when they are saved, never while a page is being read."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import reversion
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reversion.models import Version

from core.images import renditions_delete, renditions_make
from notifications.models import Broadcast
from notifications.services.broadcasts import announce_each, announcement_fan_out, not_announced
from policies.models import AnalysisUpdate, Figure, PolicyAnalysis
from topics.models import Topic

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


def analysis_state_before_save(analysis: PolicyAnalysis) -> PolicyAnalysis | None:
    """The analysis as stored, before a save changes it; None for a new one."""
    if analysis.pk is None:
        return None
    return PolicyAnalysis.objects.only("body", "status", "publish_at").filter(pk=analysis.pk).first()


def analysis_update_record(
    *, analysis: PolicyAnalysis, before: PolicyAnalysis | None, note: str = ""
) -> AnalysisUpdate | None:
    """Readers are told when the body of a published analysis changed: "Updated <date>", with the note.

    Only a change after publication counts: a draft's or a schedule's edits are the first version.
    """
    if before is None or not before.is_published or before.body == analysis.body:
        return None
    return AnalysisUpdate.objects.create(analysis=analysis, note=note.strip())


def analysis_save(
    *,
    analysis: PolicyAnalysis,
    user: User | None,
    topics: Iterable[Topic] | None = None,
    change_note: str = "",
    comment: str = "",
    before: PolicyAnalysis | None = None,
) -> PolicyAnalysis:
    """Save an analysis (and its topics) as a new version, and record an update readers see when its
    published body changed. Inside the admin's revision, the version is the admin's.

    ``before`` is the stored analysis when the caller read it earlier (the admin's restore writes the
    old version over the row before this runs).
    """
    with reversion.create_revision():
        before = before or analysis_state_before_save(analysis)
        analysis.updated_by = user
        if analysis.pk is None:
            analysis.created_by = user
        analysis.save()
        if topics is not None:
            analysis.topics.set(topics)
        analysis_update_record(analysis=analysis, before=before, note=change_note)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment or change_note or str(_("Saved.")))
    return analysis


def analysis_restore(
    *, analysis: PolicyAnalysis, version: Version, user: User | None, change_note: str = ""
) -> PolicyAnalysis:
    """Put back an earlier version (its fields, topics, reports and cited quotes) as a new version;
    the versions in between are kept. A published body that changes is an update readers see."""
    if version.object_id != str(analysis.pk) or version.content_type.model_class() is not PolicyAnalysis:
        raise ValueError("The version is not one of this analysis's.")
    with transaction.atomic(), reversion.create_revision():
        before = analysis_state_before_save(analysis)
        version.revision.revert(delete=True)
        restored = PolicyAnalysis.objects.get(pk=analysis.pk)
        restored.updated_by = user
        restored.save()  # renders the restored body's HTML, which versions leave out
        analysis_update_record(analysis=restored, before=before, note=change_note)
        reversion.add_to_revision(restored)
        if user is not None:
            reversion.set_user(user)
        when = formats.date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")
        reversion.set_comment(_("Restored the version of %(when)s.") % {"when": when})
    return restored


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
