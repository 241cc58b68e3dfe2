"""Writes to the record: every decision, automatic or human, on a comment or an answer."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models

from moderation.models import ModerationEvent, PolicyClause


def moderation_event_record(
    *,
    subject: models.Model,
    actor: User | AnonymousUser | None,
    action: str,
    from_status: str,
    to_status: str,
    clause: PolicyClause | None = None,
    note: str = "",
    reasons: Iterable[str] = (),
) -> ModerationEvent:
    return ModerationEvent.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        clause=clause,
        note=note,
        reasons=list(reasons),
    )
