"""A person's way back from the automatic checks: a comment they rejected can be put before a moderator.

The checks reject without a person reading (a blocked term, a ban); their author is told so, on the page
they land on after posting and, at a proven address, by email, each with a signed link to ask for a
review. Asking puts the comment at the front of its reasons as ``review_requested`` and in the pending
queue (after the address is confirmed, for a guest who has not yet proved it), with the author's note on
the audit log. Once per comment, and a few times a day per address, so a banned author cannot fill the
queue; a moderator's own decision is final here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import emails, pipeline
from comments.models import Comment
from comments.services import (
    CommentRefused,
    address_is_confirmed,
    comment_set_status,
    moderator_alerts_send,
    reason_rows_write,
)
from comments.tokens import review_token
from moderation.models import ModerationEvent
from moderation.services import moderation_event_record

Status = Comment.Status
REQUEST = "review_request"
# The events by which the checks, not a moderator, set a comment's status.
AUTOMATIC = ("submit", "edit")


def not_published_url(comment: Comment) -> str:
    return reverse("comments:not_published", kwargs={"token": review_token(comment)})


def _events(comment_ids: Iterable[int] | QuerySet) -> QuerySet[ModerationEvent]:
    return ModerationEvent.objects.filter(content_type=ContentType.objects.get_for_model(Comment)).filter(
        object_id__in=comment_ids
    )


@dataclass(frozen=True)
class ReviewState:
    """What the author's page says about a rejected comment, read in one place for the page and the service."""

    comment: Comment
    automatic: bool  # rejected by the checks, and no moderator has decided since
    reviewable: bool  # a review could change something: not a duplicate
    requested: bool  # the author asked already
    confirmed: bool  # the address is proven, so the comment goes straight to the moderators
    # An unproven address must be confirmed first, and unconfirmed comments are deleted after
    # COMMENTS_UNCONFIRMED_HOURS: past that, asking would only queue a comment for deletion.
    too_late: bool

    @property
    def explanation(self) -> str:
        return str(pipeline.REJECTION_EXPLAINED.get(pipeline.rejection_reason(self.comment.reasons), ""))

    @property
    def may_ask(self) -> bool:
        return self.automatic and self.reviewable and not self.requested and not self.too_late


def review_state(comment: Comment) -> ReviewState:
    events = _events([comment.pk])
    last = events.filter(to_status=comment.status).exclude(action__startswith="claim").order_by("-created_at", "-pk")
    decided_by = last.values_list("action", flat=True).first()
    confirmed = comment.confirmed_at is not None or address_is_confirmed(email=comment.author_email, user=comment.user)
    unconfirmed_window = timedelta(hours=settings.COMMENTS_UNCONFIRMED_HOURS)
    return ReviewState(
        comment=comment,
        automatic=comment.status == Status.REJECTED and decided_by in AUTOMATIC,
        reviewable=pipeline.rejection_reason(comment.reasons) not in pipeline.NOT_REVIEWABLE,
        requested=events.filter(action=REQUEST).exists(),
        confirmed=confirmed,
        too_late=not confirmed and timezone.now() > comment.created_at + unconfirmed_window,
    )


def reviews_asked_today(email: str) -> int:
    since = timezone.now() - timedelta(days=1)
    own = Comment.objects.filter(author_email=email.lower()).values("pk")
    return _events(own).filter(action=REQUEST, created_at__gte=since).count()


@transaction.atomic
def comment_review_request(*, comment: Comment, note: str = "") -> Comment:
    """Put an automatically rejected comment before a moderator; raises CommentRefused when it cannot go."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    state = review_state(locked)
    if state.requested:
        raise CommentRefused(_("You have already asked for a review of this comment."))
    if not state.may_ask:
        raise CommentRefused(_("This comment can no longer be put to a moderator."))
    if reviews_asked_today(locked.author_email) >= settings.COMMENTS_REVIEWS_PER_DAY:
        raise CommentRefused(
            _("You have asked for %(count)s reviews today, the most we take in a day. Please ask again tomorrow.")
            % {"count": settings.COMMENTS_REVIEWS_PER_DAY},
            kind=pipeline.Refusal.RATE_LIMITED,
        )
    locked.reasons = ["review_requested", *locked.reasons]
    locked.save(update_fields=["reasons"])
    reason_rows_write(locked)
    status = Status.PENDING if state.confirmed else Status.UNCONFIRMED
    comment_set_status(comment=locked, status=status)
    moderation_event_record(
        subject=locked,
        actor=None,
        action=REQUEST,
        from_status=Status.REJECTED,
        to_status=status,
        note=note.strip(),
        reasons=["review_requested"],
    )
    if status == Status.PENDING:
        moderator_alerts_send(comment=locked)
    else:
        emails.guest_confirmation(comment=locked)
    return locked
