"""The staff side of comments: queues, claims, the policy team's responses.

The queues are proxies of Comment so that each is its own entry in the admin, with its
own count on the admin index; which queue a comment is in is still derived from its
status and reports, never stored.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment

__all__ = [
    "ApprovedComment",
    "CommentClaim",
    "OfficialReply",
    "PendingComment",
    "RejectedComment",
    "ReportedComment",
    "ResponseStatus",
    "SpamComment",
    "TeamResponse",
]


class PendingComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("pending comment")
        verbose_name_plural = _("Pending")


class ReportedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("reported comment")
        verbose_name_plural = _("Reported")


class SpamComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("spam comment")
        verbose_name_plural = _("Spam")


class ApprovedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("approved comment")
        verbose_name_plural = _("Approved")


class RejectedComment(Comment):
    class Meta:
        proxy = True
        verbose_name = _("rejected comment")
        verbose_name_plural = _("Rejected")


class CommentClaimQuerySet(models.QuerySet):
    def live(self) -> "CommentClaimQuerySet":
        return self.filter(claimed_at__gt=timezone.now() - CommentClaim.lifetime())


class CommentClaim(models.Model):
    """A moderator saying "I am on this one", so two people do not read the same comment at once."""

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="claim")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)

    objects = CommentClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")

    def __str__(self) -> str:
        return _("%(moderator)s on comment %(id)s") % {"moderator": self.moderator, "id": self.comment_id}

    @staticmethod
    def lifetime() -> timedelta:
        return timedelta(minutes=settings.COMMENTS_CLAIM_MINUTES)

    @property
    def expires_at(self):
        return self.claimed_at + self.lifetime()

    @property
    def is_live(self) -> bool:
        return timezone.now() < self.expires_at


class ResponseStatus(models.TextChoices):
    NOTED = "noted", _("Noted")
    CONSIDERING = "considering", _("Under consideration")
    REFLECTED = "reflected", _("Reflected in our response")


class TeamResponse(models.Model):
    """What the policy team did with a comment, shown beside it on the page."""

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="team_response")
    status = models.CharField(max_length=12, choices=ResponseStatus.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("policy team response")

    def __str__(self) -> str:
        return self.get_status_display()


class OfficialReply(models.Model):
    """Marks a reply written on behalf of the policy team; the page shows it with a badge."""

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="official")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("official reply")
        verbose_name_plural = _("official replies")

    def __str__(self) -> str:
        return _("Policy team reply %(id)s") % {"id": self.comment_id}
