from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.rendering import comment_html
from moderation.models import PolicyClause, PolicyVersion

# Path segments are zero-padded ids, so sorting the text sorts a thread depth-first.
PATH_DIGITS = 10
PATH_SEPARATOR = "/"


# --- Comments --------------------------------------------------------------------------


class CommentQuerySet(models.QuerySet):
    def for_target(self, target: models.Model) -> "CommentQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)

    def public(self) -> "CommentQuerySet":
        """What anyone may read: approved comments."""
        return self.filter(status=Comment.Status.APPROVED)

    def visible(self, own_ids: frozenset[int] = frozenset()) -> "CommentQuerySet":
        """Approved comments, plus the reader's own comments still waiting for confirmation or moderation."""
        waiting = Q(pk__in=own_ids, status__in=[Comment.Status.UNCONFIRMED, Comment.Status.PENDING])
        return self.filter(Q(status=Comment.Status.APPROVED) | waiting) if own_ids else self.public()

    def threads(self) -> "CommentQuerySet":
        return self.filter(depth=0)

    def pending(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.PENDING)

    def reported(self, threshold: int = 1) -> "CommentQuerySet":
        """Published comments with open reader reports: the reported queue, derived from the reports."""
        return (
            self.public()
            .annotate(open_reports=models.Count("flags", filter=Q(flags__resolved_at__isnull=True)))
            .filter(open_reports__gte=threshold)
        )

    def by_author(self, *, email: str = "", user=None) -> "CommentQuerySet":
        # Addresses are stored lower-cased, so an exact match can use the index.
        match = Q(author_email=email.lower()) if email else Q(pk__in=[])
        if user is not None and user.is_authenticated:
            match |= Q(user=user)
        return self.filter(match)


class Comment(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting email confirmation")
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(_("name"), max_length=80)
    author_email = models.EmailField(_("email"), max_length=254)
    organisation = models.CharField(max_length=200, blank=True)
    declaration_of_interest = models.TextField(blank=True)
    text = models.TextField(_("comment"))
    text_html = models.TextField(editable=False, default="")
    notify_replies = models.BooleanField(default=False)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    reasons = models.JSONField(default=list, blank=True, help_text=_("Every automatic check that raised something."))
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="comments")
    ip_hash = models.CharField(max_length=64, blank=True, help_text=_("Keyed hash of the address; erased later."))

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # On a thread's root: its approved comments, the root included (comments.counts keeps it).
    thread_public_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CommentQuerySet.as_manager()

    # Not columns: set on the instances of one page by the code that shows them, never saved.
    # comments.selectors.arrange, for the thread template:
    placeholder: bool
    is_own: bool
    editable: bool
    report_url: str
    edit_url: str
    delete_url: str
    opens_replies: bool
    closing_levels: range
    pid: str
    created_iso: str
    created_text: str
    team_label: str
    # comments.selectors.STAFF_MARKS, joined in by the same query:
    official_at: datetime | None
    team_status: str | None
    # comments.queues.attach_history, the author's record for moderators:
    approved_count: int
    rejected_count: int
    # comments.api.threads.as_threads, each root's replies in thread order:
    replies_in_order: list["Comment"]

    class Meta:
        ordering = ["root_id", "path"]
        indexes = [
            # Covers the grouped read of each thread's size, so it never touches the table.
            models.Index(fields=["content_type", "object_id", "status", "root"], name="comment_target_threads"),
            models.Index(fields=["root", "path"], name="comment_thread_order"),
            # A discussion's threads and their sizes, read from the roots alone to page them.
            models.Index(
                fields=["content_type", "object_id", "id"],
                name="comment_target_roots",
                condition=Q(depth=0),
            ),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            models.Index(fields=["author_email", "created_at"], name="comment_by_email"),
            models.Index(fields=["ip_hash", "created_at"], name="comment_by_ip"),
        ]

    def __str__(self) -> str:
        excerpt = self.text if len(self.text) <= 50 else f"{self.text[:47]}…"
        return f"{self.author_name}: {excerpt}"

    def save(self, *args, **kwargs) -> None:
        self.text_html = comment_html(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "text_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def awaits_moderation(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == self.Status.UNCONFIRMED

    def place_under(self, parent: "Comment | None") -> None:
        """Set depth and ancestry; the own-id part of the path is added once the row has an id."""
        self.parent = parent
        self.depth = parent.depth + 1 if parent else 0

    def path_with_own_id(self) -> str:
        own = str(self.pk).zfill(PATH_DIGITS)
        return f"{self.parent.path}{PATH_SEPARATOR}{own}" if self.parent else own


class CommentReason(models.Model):
    """One row per automatic-check code on a comment: the queues filter by reason through its index.

    ``Comment.reasons`` keeps the full reasons with their details ("suspect_term:cure") for
    display; these rows hold only the codes, written beside it by ``services.reason_rows_write``.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reason_rows")
    code = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("automatic check raised")
        constraints = [
            # Also the index the filter reads: code first, then the comment ids it leads to.
            models.UniqueConstraint(fields=["code", "comment"], name="comment_reason_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} on comment {self.comment_id}"


class ConfirmedAddress(models.Model):
    """An email address a guest proved they own; comments from it skip the confirmation step."""

    email = models.EmailField(unique=True)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("confirmed addresses")

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class Flag(models.Model):
    """A reader's report that a published comment breaks a clause of the policy."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    clause = models.ForeignKey(PolicyClause, on_delete=models.PROTECT, related_name="flags")
    note = models.TextField(blank=True)
    # Reporting needs an account: "distinct people" must be countable, and a guest's
    # only identity here would be an IP hash, which is erased after a while.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reader report")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_report_per_person")]

    def __str__(self) -> str:
        return _("Report on comment %(id)s: %(clause)s") % {"id": self.comment_id, "clause": self.clause}


# --- The moderators' side ------------------------------------------------------------------
#
# The staff side of comments: queues, claims, the policy team's responses.
#
# The queues are proxies of Comment so that each is its own entry in the admin, with its
# own count on the admin index; which queue a comment is in is still derived from its
# status and reports, never stored.


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
