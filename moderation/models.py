"""The rules comments and consultation answers are held to, and the record of every decision.

The comment policy (its dated versions and numbered clauses), the blocked terms, the bans, the trusted
commenters and the audit log are shared by the comment threads and the consultation answers, so they
live here, below both. The tables kept the names they had in ``comments`` (``db_table``), so a database
upgraded in place keeps every row.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.personal_data import address_hash
from moderation.text import fold

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
        db_table = "comments_commentpolicy"
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
        db_table = "comments_policyversion"
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
        db_table = "comments_policyclause"
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="unique_clause_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


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
        db_table = "comments_ban"
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
        db_table = "comments_blockedterm"
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
        db_table = "comments_trustedcommenter"
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
        db_table = "comments_moderationevent"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="moderation_subject")]

    def __str__(self) -> str:
        actor = self.actor or _("system")
        return f"{self.created_at:%Y-%m-%d %H:%M} {actor}: {self.from_status or '—'} → {self.to_status}"
