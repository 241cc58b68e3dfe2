import unicodedata

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.rendering import comment_html
from core.markdown import render_markdown
from core.personal_data import address_hash

# Path segments are zero-padded ids, so sorting the text sorts a thread depth-first.
PATH_DIGITS = 10
PATH_SEPARATOR = "/"


def fold(text: str) -> str:
    """Text compared case- and accent-insensitively: "Café" and "CAFE" fold alike.

    Invisible format characters (zero-width spaces and joiners, direction marks) are
    dropped too, so they cannot hide a word inside another.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )


# --- The comment policy -------------------------------------------------------------


class CommentPolicyQuerySet(models.QuerySet["CommentPolicy"]):
    def current(self) -> "CommentPolicy | None":
        return self.order_by("pk").first()


class CommentPolicy(models.Model):
    """The rules commenters accept; its text lives in dated versions so older ones stay on record."""

    title = models.CharField(max_length=120, default="Comment policy")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment policy")
        verbose_name_plural = _("comment policies")

    def __str__(self) -> str:
        return self.title


class PolicyVersionQuerySet(models.QuerySet):
    def in_force(self, at=None) -> "PolicyVersionQuerySet":
        return self.filter(effective_at__lte=at or timezone.now())

    def current(self) -> "PolicyVersion | None":
        return self.in_force().select_related("policy").order_by("-effective_at", "-number").first()


class PolicyVersion(models.Model):
    policy = models.ForeignKey(CommentPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text=_("1 for the first version, then 2, 3…"))
    text = models.TextField(help_text=_("Markdown. The introduction shown above the numbered clauses."))
    text_html = models.TextField(editable=False, default="")
    effective_at = models.DateTimeField(
        default=timezone.now, help_text=_("The version applies to comments submitted from this time.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_at", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="unique_policy_version_number")]

    def __str__(self) -> str:
        return _("%(policy)s, version %(number)s") % {"policy": self.policy, "number": self.number}

    def save(self, *args, **kwargs) -> None:
        self.text_html = render_markdown(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:policy_version", kwargs={"number": self.number})

    @property
    def has_taken_effect(self) -> bool:
        return self.effective_at <= timezone.now()


class PolicyClause(models.Model):
    """A numbered rule; moderators cite one when they reject, readers when they report."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120, help_text=_("For example “Abusive or discriminatory”."))
    text = models.TextField(help_text=_("What the clause forbids, in plain words."))

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="unique_clause_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


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
    # comments.queues.attach_history, the author's record for moderators:
    approved_count: int
    rejected_count: int
    # comments.api.as_threads, each root's replies in thread order:
    replies_in_order: list["Comment"]

    class Meta:
        ordering = ["root_id", "path"]
        indexes = [
            # Covers the grouped read of each thread's size, so it never touches the table.
            models.Index(fields=["content_type", "object_id", "status", "root"], name="comment_target_threads"),
            models.Index(fields=["root", "path"], name="comment_thread_order"),
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


# --- Bans, terms, trust -------------------------------------------------------------------


class BanQuerySet(models.QuerySet):
    def active(self) -> "BanQuerySet":
        return self.filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


class Ban(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        DOMAIN = "domain", _("Email domain")
        ACCOUNT = "account", _("Account")
        IP = "ip", _("IP address (hashed)")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(
        max_length=254, blank=True, help_text=_("The address, the domain (example.com) or the IP hash.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="comment_bans"
    )
    until = models.DateTimeField(null=True, blank=True, help_text=_("Empty: permanent."))
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="account", user__isnull=False) | (~Q(kind="account") & ~Q(value=""))),
                name="ban_names_its_subject",
            )
        ]
        indexes = [models.Index(fields=["kind", "value"], name="ban_lookup")]

    def __str__(self) -> str:
        subject = self.user if self.kind == self.Kind.ACCOUNT else self.value
        return f"{self.get_kind_display()}: {subject}"

    def save(self, *args, **kwargs) -> None:
        if self.kind in (self.Kind.EMAIL, self.Kind.DOMAIN):
            self.value = self.value.strip().lower().lstrip("@")
        super().save(*args, **kwargs)

    @staticmethod
    def erased_value(email: str) -> str:
        """What an email ban holds once the address's personal data is erased: it still matches the address."""
        return f"erased:{address_hash(email)}"


class BlockedTerm(models.Model):
    class Action(models.TextChoices):
        BLOCK = "block", _("Reject the comment")
        HOLD = "hold", _("Hold for moderation")

    term = models.CharField(max_length=100, help_text=_("A word or phrase, matched as whole words."))
    folded = models.CharField(max_length=100, editable=False, db_index=True)
    action = models.CharField(max_length=5, choices=Action.choices, default=Action.HOLD)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["folded"], name="unique_blocked_term")]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs) -> None:
        self.term = self.term.strip()
        self.folded = fold(self.term)
        super().save(*args, **kwargs)


class TrustedCommenter(models.Model):
    """Someone whose comments skip the new-commenter hold and the site-wide hold."""

    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="comment_trust"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | Q(user__isnull=False), name="trusted_names_someone"),
        ]

    def __str__(self) -> str:
        return str(self.user or self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


# --- Audit log -------------------------------------------------------------------------------


class ModerationEvent(models.Model):
    """Who decided what, when and why, about a comment or any other moderated row."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the automatic checks."),
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    clause = models.ForeignKey(PolicyClause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="moderation_subject")]

    def __str__(self) -> str:
        actor = self.actor or _("system")
        return f"{self.created_at:%Y-%m-%d %H:%M} {actor}: {self.from_status or '—'} → {self.to_status}"


from comments.moderation_models import *  # noqa: E402, F403
