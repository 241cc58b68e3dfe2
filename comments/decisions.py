"""Moderators' decisions on comments and what surrounds them: claims, bulk decisions, bans, the team's replies.

``comment_moderate`` is the one path for a decision: it takes the row's lock, refuses a decision made on a
stale view or on a comment another moderator has claimed (``decision_guard``), records it in the audit log
and then closes the claim and reports and tells whoever should know (``decision_effects``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from comments import emails, services
from comments.models import Comment, CommentClaim, Flag, OfficialReply, ResponseStatus, TeamResponse
from comments.services import comment_set_status
from moderation.models import Ban, ModerationEvent, PolicyClause
from moderation.services import moderation_event_record

Status = Comment.Status


class ModerationError(ValueError):
    """A decision that cannot apply to the comment as it stands; the message says why."""


class Action(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    SPAM = "spam", _("Mark as spam")
    REMOVE = "remove", _("Remove")
    HOLD = "hold", _("Send back to the queue")
    RESTORE = "restore", _("Restore")
    KEEP = "keep", _("Keep published")


ACTION_STATUS = {
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
    Action.REMOVE: Status.REMOVED,
    Action.HOLD: Status.PENDING,
    Action.RESTORE: Status.APPROVED,
    Action.KEEP: Status.APPROVED,
}

# An unconfirmed comment has no proven address, so only "spam" may touch it; a
# published comment is removed (leaving a placeholder for its replies), not rejected.
ALLOWED_FROM = {
    Action.APPROVE: {Status.PENDING, Status.REJECTED, Status.SPAM, Status.REMOVED},
    Action.REJECT: {Status.PENDING, Status.SPAM},
    Action.SPAM: {Status.UNCONFIRMED, Status.PENDING, Status.APPROVED, Status.REJECTED},
    Action.REMOVE: {Status.PENDING, Status.APPROVED},
    Action.HOLD: {Status.APPROVED},
    Action.RESTORE: {Status.REJECTED, Status.SPAM, Status.REMOVED},
    # A reported comment that breaks no rule: the reports are dismissed, the comment stays.
    Action.KEEP: {Status.APPROVED},
}

# The policy requires moderators to cite the clause a comment broke.
NEEDS_CLAUSE = {Action.REJECT, Action.REMOVE}


@transaction.atomic
def comment_moderate(
    *,
    comment: Comment,
    action: str,
    moderator: User | AnonymousUser,
    clause: PolicyClause | None = None,
    note: str = "",
    expected_status: str | None = None,
) -> Comment:
    """Apply a moderator's decision and record it; refuses a decision the comment's status does not allow.

    ``expected_status`` is the status the moderator saw; if it changed meanwhile, the
    decision is refused with who decided first.
    """
    try:
        action = Action(action)
    except ValueError:
        raise ModerationError(_("“%(action)s” is not a moderation action.") % {"action": action}) from None
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    decision_guard(locked=locked, moderator=moderator, expected_status=expected_status)
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
    decision_effects(
        comment=locked, from_status=from_status, action=action, moderator=moderator, clause=clause, note=note
    )
    return locked


# --- Around every decision ---------------------------------------------------------------


def last_decision(comment: Comment) -> ModerationEvent | None:
    """The event that put the comment in its present status."""
    return (
        ModerationEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id=comment.pk,
            to_status=comment.status,
        )
        .exclude(action__in=ClaimAction.ALL)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def already_decided_message(comment: Comment) -> str:
    event = last_decision(comment)
    if event is None:
        return _("This comment is now “%(status)s”.") % {"status": comment.get_status_display()}
    return _("Already decided: %(actor)s made this comment “%(status)s” at %(time)s.") % {
        "actor": event.actor or _("the automatic checks"),
        "status": comment.get_status_display(),
        "time": date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT"),
    }


def claimed_message(claim: CommentClaim) -> str:
    return _("%(moderator)s is handling this comment (claimed until %(time)s).") % {
        "moderator": claim.moderator,
        "time": date_format(timezone.localtime(claim.expires_at), "TIME_FORMAT"),
    }


def decision_guard(*, locked: Comment, moderator, expected_status: str | None) -> None:
    """Refuse a decision made on a stale view of the comment, or on one another moderator has claimed.

    ``locked`` is held with SELECT … FOR UPDATE, so of two moderators deciding at once the
    second waits here, then finds the status changed and is told by whom.
    """
    if expected_status and locked.status != expected_status:
        raise ModerationError(already_decided_message(locked))
    claim = (
        CommentClaim.objects.live()
        .filter(comment=locked)
        .exclude(moderator_id=getattr(moderator, "pk", None))
        .select_related("moderator")
        .first()
    )
    if claim is not None:
        raise ModerationError(claimed_message(claim))


def decision_effects(
    *, comment: Comment, from_status: str, action: str, moderator, clause: PolicyClause | None, note: str
) -> None:
    """Close the comment's claim and reports, then tell whoever should know, through the outbox."""
    CommentClaim.objects.filter(comment=comment).delete()
    if action != Action.HOLD:
        Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=moderator if moderator and moderator.is_authenticated else None
        )
    # Only a commenter who was waiting hears of the decision; a spammer is never told.
    if from_status == Status.PENDING and action == Action.APPROVE:
        emails.comment_approved(comment=comment)
    elif from_status == Status.PENDING and action == Action.REJECT:
        emails.comment_rejected(comment=comment, clause=clause, note=note)
    if comment.status == Status.APPROVED:
        emails.reply_notification(comment=comment)


# --- Claims --------------------------------------------------------------------------------


class ClaimAction:
    """Audit actions for claims; they change no status, so they are never taken for a decision."""

    CLAIM = "claim"
    RENEW = "claim_renew"
    TAKEOVER = "claim_takeover"
    RELEASE = "claim_release"
    ALL = (CLAIM, RENEW, TAKEOVER, RELEASE)


def claim_event_record(*, comment: Comment, moderator, action: str, note: str = "") -> None:
    moderation_event_record(
        subject=comment,
        actor=moderator,
        action=action,
        from_status=comment.status,
        to_status=comment.status,
        note=note,
    )


def claim_takeover_note(expired: CommentClaim) -> str:
    return _("Took over from %(moderator)s, whose claim expired at %(time)s.") % {
        "moderator": expired.moderator,
        "time": date_format(timezone.localtime(expired.expires_at), "DATETIME_FORMAT"),
    }


@transaction.atomic
def comment_claim(*, comment: Comment, moderator) -> CommentClaim:
    """Take a comment for a few minutes, on record; refused while another moderator's claim is live."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    existing = CommentClaim.objects.filter(comment=locked).select_related("moderator").first()
    if existing is not None and existing.is_live and existing.moderator_id != moderator.pk:
        raise ModerationError(claimed_message(existing))
    if existing is None:
        action, note = ClaimAction.CLAIM, ""
    elif existing.moderator_id == moderator.pk:
        action, note = ClaimAction.RENEW, ""
    else:
        action, note = ClaimAction.TAKEOVER, claim_takeover_note(existing)
    claim, _created = CommentClaim.objects.update_or_create(
        comment=locked, defaults={"moderator": moderator, "claimed_at": timezone.now()}
    )
    claim_event_record(comment=locked, moderator=moderator, action=action, note=note)
    return claim


@transaction.atomic
def comment_release(*, comment: Comment, moderator) -> bool:
    """Give a claim back before it expires; only its holder can, and only a real release is on record."""
    deleted, _rows = CommentClaim.objects.filter(comment=comment, moderator=moderator).delete()
    if deleted:
        claim_event_record(comment=comment, moderator=moderator, action=ClaimAction.RELEASE)
    return bool(deleted)


# --- Many at once --------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    decided: list[Comment] = field(default_factory=list)
    refused: list[tuple[Comment, str]] = field(default_factory=list)


def comments_moderate_bulk(
    *,
    comments: Iterable[Comment],
    action: str,
    moderator,
    clause: PolicyClause | None = None,
    note: str = "",
    expected_status: str | None = None,
) -> BulkOutcome:
    """Decide each comment in its own transaction: one refusal leaves the others decided.

    The comments are read once, before the first decision: a queryset of a queue read again later
    would no longer hold the comments this call has just moved out of it.
    """
    outcome = BulkOutcome()
    for comment in list(comments):
        try:
            comment_moderate(
                comment=comment,
                action=action,
                moderator=moderator,
                clause=clause,
                note=note,
                expected_status=expected_status,
            )
        except ModerationError as error:
            outcome.refused.append((comment, str(error)))
        else:
            outcome.decided.append(comment)
    return outcome


# --- Bans ----------------------------------------------------------------------------------


def comments_matching_ban(ban: Ban) -> QuerySet[Comment]:
    match_by_kind: dict[str, Q] = {
        Ban.Kind.EMAIL: Q(author_email__iexact=ban.value),
        Ban.Kind.DOMAIN: Q(author_email__iendswith=f"@{ban.value}"),
        Ban.Kind.ACCOUNT: Q(user_id=ban.user_id),
        Ban.Kind.IP: Q(ip_hash=ban.value),
    }
    return Comment.objects.filter(match_by_kind[ban.kind])


@transaction.atomic
def ban_create(*, ban: Ban, moderator, reject_pending: bool = False, clause: PolicyClause | None = None) -> BulkOutcome:
    """Save a ban, on record, and optionally reject every comment of that author still waiting."""
    if reject_pending and clause is None:
        raise ModerationError(_("Choose the clause the author's pending comments break."))
    ban.created_by = moderator
    ban.save()
    moderation_event_record(
        subject=ban,
        actor=moderator,
        action="ban",
        from_status="",
        to_status="permanent" if ban.until is None else f"until {ban.until:%Y-%m-%d}",
        note=ban.reason,
    )
    if not reject_pending:
        return BulkOutcome()
    return comments_moderate_bulk(
        comments=comments_matching_ban(ban).filter(status=Status.PENDING).order_by("pk"),
        action=Action.REJECT,
        moderator=moderator,
        clause=clause,
        expected_status=Status.PENDING,
    )


# --- The policy team's voice ------------------------------------------------------------------


@transaction.atomic
def comment_official_reply(*, parent: Comment, staff, text: str) -> Comment:
    """Publish a reply on behalf of the policy team.

    It skips the automatic checks, which exist to protect the team from the public,
    and the address confirmation, which staff accounts have already passed.
    """
    text = text.strip()
    if not text:
        raise ModerationError(_("Write the reply first."))
    parent = Comment.objects.select_related("policy_version").get(pk=parent.pk)
    if parent.status != Status.APPROVED:
        raise ModerationError(_("Only a published comment can be answered in public."))
    reply = Comment(
        content_type_id=parent.content_type_id,
        object_id=parent.object_id,
        text=text,
        author_name=staff.get_full_name() or staff.get_username(),
        author_email=staff.email,
        user=staff,
        status=Status.APPROVED,
        policy_version=parent.policy_version,
        confirmed_at=timezone.now(),
    )
    services.comment_insert(comment=reply, parent=services.reply_parent(parent))
    OfficialReply.objects.create(comment=reply, written_by=staff)
    moderation_event_record(
        subject=reply, actor=staff, action="official_reply", from_status="", to_status=Status.APPROVED
    )
    emails.reply_notification(comment=reply)
    return reply


@transaction.atomic
def comment_response_set(*, comment: Comment, status: str, moderator) -> TeamResponse:
    """Say what the team did with a published comment; its author hears once per status."""
    status = ResponseStatus(status)
    if comment.status != Status.APPROVED:
        raise ModerationError(_("Only a published comment can be given a response status."))
    previous = TeamResponse.objects.select_for_update().filter(comment=comment).first()
    response, _created = TeamResponse.objects.update_or_create(
        comment=comment, defaults={"status": status, "set_by": moderator, "set_at": timezone.now()}
    )
    if previous is None or previous.status != status:
        moderation_event_record(
            subject=comment,
            actor=moderator,
            action="response",
            from_status=comment.status,
            to_status=comment.status,
            note=str(status.label),
        )
        emails.comment_response(comment=comment, response=response)
    return response


# --- For moderators ---------------------------------------------------------------------------


def oldest_pending() -> Comment | None:
    return Comment.objects.pending().order_by("created_at", "pk").only("pk", "created_at").first()


def moderation_summary_send(*, today=None) -> int:
    """The daily summary of what waits; keyed by date, so a second run on the same day sends nothing."""
    today = today or timezone.localdate()
    pending = Comment.objects.pending().count()
    reported = Flag.objects.filter(resolved_at__isnull=True).values("comment_id").distinct().count()
    if not pending and not reported:
        return 0
    oldest = oldest_pending()
    sent = 0
    for moderator in services.moderators():
        emails.moderation_summary(
            moderator=moderator, pending=pending, reported=reported, oldest=oldest, day=today.isoformat()
        )
        sent += 1
    return sent


def moderation_stale_alert_send(*, older_than: timedelta) -> int:
    """Alert once per oldest comment when it has waited too long; the next stale one alerts again."""
    oldest = oldest_pending()
    if oldest is None or timezone.now() - oldest.created_at < older_than:
        return 0
    sent = 0
    for moderator in services.moderators():
        emails.moderation_stale_alert(moderator=moderator, oldest=oldest)
        sent += 1
    return sent
