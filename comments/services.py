from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import Comment, ModerationEvent, PolicyClause

Status = Comment.Status


class ModerationError(ValueError):
    """A decision that cannot apply to the comment as it stands; the message says why."""


class Action(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    SPAM = "spam", _("Mark as spam")
    REMOVE = "remove", _("Remove")
    HOLD = "hold", _("Send back to the queue")


ACTION_STATUS = {
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
    Action.REMOVE: Status.REMOVED,
    Action.HOLD: Status.PENDING,
}

# An unconfirmed comment has no proven address, so only "spam" may touch it; a
# published comment is removed (leaving a placeholder for its replies), not rejected.
ALLOWED_FROM = {
    Action.APPROVE: {Status.PENDING, Status.REJECTED, Status.SPAM, Status.REMOVED},
    Action.REJECT: {Status.PENDING, Status.SPAM},
    Action.SPAM: {Status.UNCONFIRMED, Status.PENDING, Status.APPROVED, Status.REJECTED},
    Action.REMOVE: {Status.PENDING, Status.APPROVED},
    Action.HOLD: {Status.APPROVED},
}

# The policy requires moderators to cite the clause a comment broke.
NEEDS_CLAUSE = {Action.REJECT, Action.REMOVE}


def moderation_event_record(
    *,
    subject: models.Model,
    actor,
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


def comment_set_status(*, comment: Comment, status: str) -> None:
    comment.status = status
    comment.status_changed_at = timezone.now()
    comment.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def comment_moderate(
    *, comment: Comment, action: str, moderator, clause: PolicyClause | None = None, note: str = ""
) -> Comment:
    """Apply a moderator's decision and record it; refuses a decision the comment's status does not allow."""
    try:
        action = Action(action)
    except ValueError:
        raise ModerationError(_("“%(action)s” is not a moderation action.") % {"action": action}) from None
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status not in ALLOWED_FROM[action]:
        raise ModerationError(
            _("A comment that is “%(status)s” cannot be given “%(action)s”.")
            % {"status": locked.get_status_display(), "action": action.label}
        )
    if action in NEEDS_CLAUSE and clause is None:
        raise ModerationError(_("Choose the clause of the comment policy that the comment breaks."))
    from_status = locked.status
    comment_set_status(comment=locked, status=ACTION_STATUS[action])
    moderation_event_record(
        subject=locked,
        actor=moderator,
        action=action,
        from_status=from_status,
        to_status=locked.status,
        clause=clause,
        note=note,
    )
    comment.status, comment.status_changed_at = locked.status, locked.status_changed_at
    return locked
