"""One function per kind of email about comments; each goes through the outbox.

Rows are written in the caller's transaction and sent after it commits, so a
comment and its emails are saved together or not at all, with Redis up or down.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from comments.models import Comment
from comments.pipeline import NOT_REVIEWABLE, REJECTION_EXPLAINED, rejection_reason
from comments.tokens import confirmation_token, review_token, stop_replies_token
from core.site import absolute_url
from notifications.services import delivery_enqueue


def queue_path(comment: Comment | None = None) -> str:
    """The queue the alert is about: Pending, or Reported for a published comment a reader reported."""
    queue = "reportedcomment" if comment is not None and comment.status == Comment.Status.APPROVED else "pendingcomment"
    try:
        return reverse(f"admin:comments_{queue}_changelist")
    except NoReverseMatch:
        return reverse("admin:index")


def guest_confirmation(*, comment: Comment) -> None:
    """Anyone can type any address, so the email carries none of their words: no name, no text.

    The discussion's title and the link are enough for the author to know it; the link's page shows
    the comment. Limited per address: past the limit the comment waits, and the next comment from the
    address (when the limit allows) brings a link that confirms every waiting one.
    """

    url = absolute_url(reverse("comments:confirm", kwargs={"token": confirmation_token(comment)}))
    delivery_enqueue(
        recipient=comment.author_email,
        template="comment-confirm",
        context={"confirm_url": url, "hours": settings.COMMENTS_UNCONFIRMED_HOURS, "target_title": str(comment.target)},
        kind="comment_confirmation",
        idempotency_key=f"comment-confirm:{comment.pk}",
        about=comment,
        recipient_limit=("comment_confirmation",),
    )


def moderator_alert(*, moderator, waiting: int, window: int, comment: Comment | None = None) -> None:
    """At most one per moderator per alert window: the window number is part of the idempotency key."""
    delivery_enqueue(
        recipient=moderator.email,
        template="comment-moderator-alert",
        context={
            "waiting": waiting,
            "queue_url": absolute_url(queue_path(comment)),
            "excerpt": comment.text[:300] if comment else "",
            "target_title": str(comment.target) if comment else "",
            "reasons": comment.reasons if comment else [],
            "minutes": settings.COMMENTS_ALERT_MINUTES,
        },
        kind="comment_moderator_alert",
        idempotency_key=f"comment-alert:{moderator.pk}:{window}",
    )


def reply_notification(*, comment: Comment) -> None:
    """Tell the parent's author about a published reply, if they asked and their address is proven."""
    parent = comment.parent
    if parent is None or not parent.notify_replies or parent.author_email == comment.author_email:
        return
    if parent.status != Comment.Status.APPROVED or parent.confirmed_at is None:
        return
    stop_url = absolute_url(reverse("comments:stop_replies", kwargs={"token": stop_replies_token(parent)}))
    delivery_enqueue(
        recipient=parent.author_email,
        template="comment-reply",
        context={
            "name": parent.author_name,
            "replier": comment.author_name,
            "excerpt": comment.text[:300],
            "target_title": str(comment.target),
            "reply_url": absolute_url(comment.get_absolute_url()),
            "stop_url": stop_url,
        },
        kind="comment_reply",
        idempotency_key=f"comment-reply:{comment.pk}",
        about=comment,
        # Replies are published text the reader asked for, but a wave of them is still a flood.
        recipient_limit=("comment_reply",),
        # RFC 8058 one-click: mail clients POST to the same link the email shows.
        headers={"List-Unsubscribe": f"<{stop_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def comment_auto_rejected(*, comment: Comment) -> None:
    """The automatic checks rejected the comment: say why, and offer a moderator's review where one can help.

    Sent only to a proven address (a verified account's, or one confirmed before): a guest's first
    comment has none, and reads the same on the page it lands on after posting.
    """
    code = rejection_reason(comment.reasons)
    review_url = ""
    if code not in NOT_REVIEWABLE:
        review_url = absolute_url(reverse("comments:not_published", kwargs={"token": review_token(comment)}))
    delivery_enqueue(
        recipient=comment.author_email,
        template="comment-auto-rejected",
        context={
            "name": comment.author_name,
            "excerpt": comment.text[:300],
            "target_title": str(comment.target),
            "explanation": str(REJECTION_EXPLAINED.get(code, "")),
            "review_url": review_url,
            "review_days": settings.COMMENTS_REVIEW_DAYS,
            "policy_url": absolute_url(comment.policy_version.get_absolute_url()),
        },
        kind="comment_auto_rejected",
        idempotency_key=f"comment-auto-rejected:{comment.pk}",
        about=comment,
    )


# --- Staff moderation: decisions, the team's responses, moderators' summaries ------------------


def comment_approved(*, comment: Comment) -> None:
    delivery_enqueue(
        recipient=comment.author_email,
        template="comment-approved",
        context={
            "name": comment.author_name,
            "excerpt": comment.text[:300],
            "target_title": str(comment.target),
            "comment_url": absolute_url(comment.get_absolute_url()),
        },
        kind="comment_approved",
        idempotency_key=f"comment-approved:{comment.pk}",
        about=comment,
    )


def comment_rejected(*, comment: Comment, clause, note: str) -> None:
    delivery_enqueue(
        recipient=comment.author_email,
        template="comment-rejected",
        context={
            "name": comment.author_name,
            "excerpt": comment.text[:300],
            "target_title": str(comment.target),
            "clause_number": clause.number if clause else "",
            "clause_title": clause.title if clause else "",
            "clause_text": clause.text if clause else "",
            "note": note,
            "policy_url": absolute_url(comment.policy_version.get_absolute_url()),
        },
        kind="comment_rejected",
        idempotency_key=f"comment-rejected:{comment.pk}",
        about=comment,
    )


def comment_response(*, comment: Comment, response) -> None:
    """Once per comment and status: setting the same status again sends nothing."""
    delivery_enqueue(
        recipient=comment.author_email,
        template="comment-response",
        context={
            "name": comment.author_name,
            "excerpt": comment.text[:300],
            "target_title": str(comment.target),
            "status": response.get_status_display(),
            "comment_url": absolute_url(comment.get_absolute_url()),
        },
        kind="comment_response",
        idempotency_key=f"comment-response:{comment.pk}:{response.status}",
        about=comment,
    )


def moderation_summary(*, moderator, pending: int, reported: int, oldest: Comment | None, day: str) -> None:
    delivery_enqueue(
        recipient=moderator.email,
        template="moderation-summary",
        context={
            "pending": pending,
            "reported": reported,
            "oldest_at": oldest.created_at if oldest else None,
            "pending_url": absolute_url(reverse("admin:comments_pendingcomment_changelist")),
            "reported_url": absolute_url(reverse("admin:comments_reportedcomment_changelist")),
        },
        kind="moderation_summary",
        idempotency_key=f"moderation-summary:{day}",
    )


def moderation_stale_alert(*, moderator, oldest: Comment) -> None:
    """Keyed by the comment, so each comment that waits too long alerts each moderator once."""
    delivery_enqueue(
        recipient=moderator.email,
        template="moderation-stale",
        context={
            "oldest_at": oldest.created_at,
            "hours": settings.COMMENTS_STALE_PENDING_HOURS,
            "pending_url": absolute_url(reverse("admin:comments_pendingcomment_changelist")),
        },
        kind="moderation_stale",
        idempotency_key=f"moderation-stale:{oldest.pk}",
        about=oldest,
    )
