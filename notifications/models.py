"""Subscribers, the suppression list and the outbox.

A ``Delivery`` is one email to one address. Transactional rows carry their own
rendered subject and bodies; bulk rows of an announcement point at one shared
``Broadcast`` and are personalised (address, unsubscribe links) when sent.
"""

import hashlib
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personal_data import address_hash, normalise_email

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Stream(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    BULK = "bulk", _("Bulk")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as something is published")
    WEEKLY = "weekly", _("A weekly digest")


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def reachable(self) -> "SubscriberQuerySet":
        """Confirmed and not suppressed: who may receive bulk email at all."""
        # By address in SQL, for the fan-out's INSERT ... SELECT; an erased address kept only as a
        # hash has no subscriber left, and sending checks the hash again before each bulk email.
        return self.confirmed().exclude(Exists(Suppression.objects.filter(email=OuterRef("email"))))

    def receiving(self, frequency: str) -> "SubscriberQuerySet":
        return self.reachable().filter(frequency=frequency)

    def interested_in_analysis(self, topic_ids: list[int]) -> "SubscriberQuerySet":
        by_topic = Subscriber.topics.through.objects.filter(subscriber=OuterRef("pk"), topic_id__in=topic_ids)
        return self.filter(Q(all_analyses=True) | Exists(by_topic))

    def interested_in_webinars(self) -> "SubscriberQuerySet":
        return self.filter(webinars=True)

    def newsletter_audience(self, issue: "NewsletterIssue") -> "SubscriberQuerySet":
        """Who receives a newsletter issue: every reachable subscriber, or those who chose any of its
        topics or kinds, whatever their frequency (a newsletter is neither an announcement nor a digest)."""
        reachable = self.reachable()
        if issue.audience == NewsletterIssue.Audience.ALL:
            return reachable
        chose = Q(pk__in=[])
        topic_ids = list(issue.topics.values_list("pk", flat=True))
        if topic_ids:
            chosen_topic = Subscriber.topics.through.objects.filter(subscriber=OuterRef("pk"), topic_id__in=topic_ids)
            chose |= Q(Exists(chosen_topic))
        for wanted, field in (
            (issue.to_all_analyses, "all_analyses"),
            (issue.to_webinars, "webinars"),
            (issue.to_consultations, "consultations"),
        ):
            if wanted:
                chose |= Q(**{field: True})
        return reachable.filter(chose)


class Subscriber(models.Model):
    """An address that asked for email about new content; no account needed."""

    email = models.EmailField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    all_analyses = models.BooleanField(_("all new analyses"), default=False)
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="subscribers")
    webinars = models.BooleanField(_("new webinars"), default=False)
    consultations = models.BooleanField(_("consultations"), default=False)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    link_sent_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a confirmation or preferences link was last sent.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["frequency", "confirmed_at"])]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def status(self) -> "StrPromise":
        if self.unsubscribed_at:
            return _("unsubscribed")
        return _("confirmed") if self.confirmed_at else _("waiting for confirmation")


class SuppressionQuerySet(models.QuerySet["Suppression"]):
    def for_address(self, address: str) -> "SuppressionQuerySet":
        return self.filter(email_hash=address_hash(address))

    def add(self, *, email: str, reason: str, note: str = "") -> "Suppression":
        """Suppress an address once; a later reason leaves the first in place."""
        suppression, _created = self.get_or_create(
            email_hash=address_hash(email),
            defaults={"email": normalise_email(email), "reason": reason, "note": note[:300]},
        )
        return suppression


class Suppression(models.Model):
    """Addresses that receive no bulk email, whatever their subscriptions say.

    Matched by ``email_hash``; ``email`` is blanked when the address's personal data is
    erased, and the hash alone keeps the address suppressed.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by staff")
        ERASED = "erased", _("Personal data erased on request")

    email = models.EmailField(blank=True, db_index=True, help_text=_("Empty once the address was erased."))
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email or _('(erased address)')} ({self.get_reason_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.email:
            self.email = normalise_email(self.email)
            self.email_hash = address_hash(self.email)
        super().save(*args, **kwargs)


class Broadcast(models.Model):
    """One announcement or newsletter, rendered once and fanned out to many deliveries."""

    class Audience(models.TextChoices):
        ANALYSES = "analyses", _("Subscribers to the analysis's topics or to all analyses")
        WEBINARS = "webinars", _("Subscribers to webinars")
        CONSULTATIONS = "consultations", _("Subscribers to consultations")
        NEWSLETTER = "newsletter", _("The newsletter issue's own audience")

    key = models.CharField(
        max_length=200, unique=True, help_text=_("One broadcast per event, however often it is asked for.")
    )
    kind = models.CharField(max_length=60)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    about = GenericForeignKey("content_type", "object_id")
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.subject or self.key


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self) -> "DeliveryQuerySet":
        now = timezone.now()
        return self.filter(status=Delivery.Status.QUEUED).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )

    def counts_by_status(self) -> dict[str, int]:
        rows = self.order_by().values_list("status").annotate(count=models.Count("pk"))
        return {status: count for status, count in rows}


class Delivery(models.Model):
    """One email to one address: the outbox row a worker claims, sends and marks."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")

    recipient = models.EmailField()
    kind = models.CharField(max_length=60)
    stream = models.CharField(max_length=15, choices=Stream.choices, default=Stream.TRANSACTIONAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    idempotency_key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    broadcast = models.ForeignKey(Broadcast, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A database default, because the fan-out inserts rows with its own INSERT ... SELECT.
    provider_message_id = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        editable=False,
        help_text=_("The email provider's id for the sent message, which its bounce and complaint reports quote."),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("deliveries")
        # Bodies carry private answers and, before redaction, secret links: reading them is a role
        # of its own, which no staff group holds by default (docs/architecture.md, Notifications).
        permissions = [("view_delivery_content", _("Can read what a delivered email said"))]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "idempotency_key"], name="unique_delivery_per_event"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="delivery_provider_message_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiving server can recognise a re-send of the same row."""
        return f"<delivery.{self.pk}.{_key_digest(self.idempotency_key)}@{_domain()}>"


def _key_digest(key: str) -> str:
    """The first 12 hex digits of the key's UUID 5 (uuid.uuid5(NAMESPACE_URL, key).hex[:12]: the SHA-1
    digits before the version and variant bits), without building the UUID for every message sent."""
    return hashlib.sha1(uuid.NAMESPACE_URL.bytes + key.encode(), usedforsecurity=False).hexdigest()[:12]


def _domain() -> str:
    return _hostname(settings.SITE_URL)


@lru_cache(maxsize=4)
def _hostname(url: str) -> str:
    # Parsed once per site address, not for every message's Message-ID.
    return urlparse(url).hostname or "localhost"


class Job(models.Model):
    """A deferred effect that is not one email (a consultation's outcome, a digest batch): a task to run,
    recorded in the transaction of its cause, so the sweeper can run it when its Celery message is lost.

    The task must be safe to run twice: a job is run at least once, not exactly once.
    """

    key = models.CharField(
        max_length=200, unique=True, help_text=_("One job per event, however often it is asked for.")
    )
    task = models.CharField(max_length=200, help_text=_("The registered name of the Celery task to run."))
    args = models.JSONField(default=list, blank=True)
    queue = models.CharField(max_length=40, default="celery")
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker was last asked to run it, or started it.")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["dispatched_at"], condition=Q(finished_at__isnull=True), name="job_unfinished"),
        ]

    def __str__(self) -> str:
        return self.key


class NewsletterIssue(models.Model):
    """A newsletter an editor writes and a sender sends, once, through one ``Broadcast``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        ALL = "all", _("Every confirmed subscriber")
        SEGMENT = "segment", _("Subscribers who chose the topics or kinds below")

    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=150, blank=True, help_text=_("The line of text mail programs show after the subject.")
    )
    body = models.TextField(
        blank=True, help_text=_("Markdown: **bold**, _italic_, [link](https://…), ## headings, lists.")
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ALL)
    topics = models.ManyToManyField(
        "topics.Topic", blank=True, related_name="newsletter_issues", help_text=_("Subscribers to any of these topics.")
    )
    to_all_analyses = models.BooleanField(_("subscribers to all analyses"), default=False)
    to_webinars = models.BooleanField(_("subscribers to webinars"), default=False)
    to_consultations = models.BooleanField(_("subscribers to consultations"), default=False)
    test_addresses = models.TextField(
        blank=True, help_text=_("Who else receives “Send me a test”: one address a line.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    send_at = models.DateTimeField(null=True, blank=True, editable=False)
    broadcast = models.OneToOneField(
        Broadcast, null=True, blank=True, on_delete=models.PROTECT, editable=False, related_name="newsletter_issue"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The counts newsletter_stats gives, kept on the issue: taken when sending finishes and each night
    # before the retention job deletes old emails; once the issue's emails are deleted they are final.
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    sent_count = models.PositiveIntegerField(_("sent"), default=0, editable=False)
    failed_count = models.PositiveIntegerField(_("failed"), default=0, editable=False)
    bounced_count = models.PositiveIntegerField(_("bounced"), default=0, editable=False)
    complained_count = models.PositiveIntegerField(_("complaints"), default=0, editable=False)
    suppressed_count = models.PositiveIntegerField(_("suppressed"), default=0, editable=False)
    unsubscribed_count = models.PositiveIntegerField(_("unsubscribed"), default=0, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)
    counts_final = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_newsletterissue", _("Can send, schedule and cancel a newsletter issue"))]
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_editable(self) -> bool:
        """Once sending starts the issue is what was sent, so it can no longer change."""
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def test_address_list(self) -> list[str]:
        return [line.strip() for line in self.test_addresses.splitlines() if line.strip()]


class NewsletterBlock(models.Model):
    """An analysis, webinar or consultation shown in an issue, by its source's key and its id."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers come first."))
    source = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.object_id}"
