"""Consultations: questions asked for a fixed period, the responses, and what the team did next.

Status is derived from the clock and the content (never switched by hand), so a
consultation opens and closes on time with no job and no deploy.
"""

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.models import Stamped
from policies.models import PolicyAnalysis, Report
from topics.models import Topic

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "Answer",
    "Attachment",
    "Consultation",
    "LateResponseLink",
    "Question",
    "QuestionTag",
    "Response",
    "Section",
]

AGREE_SCALE = (
    ("strongly-agree", _("Strongly agree")),
    ("agree", _("Agree")),
    ("neither", _("Neither agree nor disagree")),
    ("disagree", _("Disagree")),
    ("strongly-disagree", _("Strongly disagree")),
)
YES_NO = (("yes", _("Yes")), ("no", _("No")))
OTHER = "other"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_reference(prefix: str) -> str:
    # No 0/O or 1/I: references are read aloud and typed from emails.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{prefix}-{code[:4]}-{code[4:]}"


class ConsultationQuerySet(models.QuerySet):
    def published(self) -> "ConsultationQuerySet":
        """Everything the public may see: every status but draft."""
        return self.filter(is_published=True)

    def upcoming(self) -> "ConsultationQuerySet":
        return self.published().filter(opens_at__gt=timezone.now())

    def open(self) -> "ConsultationQuerySet":
        now = timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self) -> "ConsultationQuerySet":
        return self.published().filter(closes_at__lte=timezone.now(), concluded_at__isnull=True)

    def concluded(self) -> "ConsultationQuerySet":
        return self.published().filter(concluded_at__isnull=False)

    def closing_between(self, start, end) -> "ConsultationQuerySet":
        return self.open().filter(closes_at__gt=start, closes_at__lte=end)

    def for_listing(self) -> "ConsultationQuerySet":
        return self.prefetch_related("topics").order_by("closes_at")


class Consultation(Stamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CONCLUDED = "concluded", _("Concluded")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(help_text=_("One or two sentences, shown in lists and at the top of the page."))
    body = models.TextField(help_text=_("Markdown: the background, what the team wants to know and why."))
    body_html = models.TextField(editable=False, default="")
    topics = models.ManyToManyField(Topic, related_name="consultations", blank=True)
    analyses = models.ManyToManyField(PolicyAnalysis, related_name="consultations", blank=True)
    reports = models.ManyToManyField(Report, related_name="consultations", blank=True)
    webinars = models.ManyToManyField("webinars.Webinar", related_name="consultations", blank=True)
    is_published = models.BooleanField(
        _("ready to publish"),
        default=False,
        help_text=_("Until ticked this is a draft. Once ticked it appears as upcoming, then opens and closes on time."),
    )
    opens_at = models.DateTimeField(help_text=_("UK time."))
    closes_at = models.DateTimeField(help_text=_("UK time. Responses are refused from this moment."))
    contact_email = models.EmailField(help_text=_("Where people ask questions or request another format."))
    alternative_formats = models.TextField(
        blank=True,
        default="",
        help_text=_("For example: “Ask for a large-print, Easy Read or paper copy, or to respond by phone.”"),
    )
    opening_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The outcome: "We asked, you said, we did".
    you_said = models.TextField(blank=True, default="", help_text=_("Markdown: what people told the team."))
    you_said_html = models.TextField(editable=False, default="")
    we_did = models.TextField(blank=True, default="", help_text=_("Markdown: what the team will do as a result."))
    we_did_html = models.TextField(editable=False, default="")
    final_report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="concluded_consultations"
    )
    concluded_at = models.DateTimeField(null=True, blank=True, editable=False)
    summary_published = models.BooleanField(
        _("publish a summary of the responses"),
        default=False,
        help_text=_(
            "Once concluded, the page shows the number of responses by type, the figures for each closed "
            "question and the quotes analysts chose. Nothing from a response whose author refused publication."
        ),
    )
    personal_data_removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Limits on files attached to answers, for questions that accept files.
    attachment_max_file_mb = models.PositiveSmallIntegerField(
        _("largest file (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The largest single file a respondent may attach, in megabytes."),
    )
    attachment_max_total_mb = models.PositiveSmallIntegerField(
        _("all files of one response (MB)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("The most all of one response's files may add up to, in megabytes."),
    )
    attachment_max_files = models.PositiveSmallIntegerField(
        _("files per response"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many files one response may attach in all."),
    )

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        permissions = [
            ("analyse_consultation", _("Can analyse responses and export them")),
            ("conclude_consultation", _("Can publish the outcome of a consultation")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="consultation_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_markdown(self.body)
        self.you_said_html = render_markdown(self.you_said)
        self.we_did_html = render_markdown(self.we_did)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("consultations:consultation", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A consultation must close after it opens.")})
        if (self.attachment_max_file_mb or 0) > (self.attachment_max_total_mb or 0):
            raise ValidationError(
                {"attachment_max_total_mb": _("All files together must be allowed at least the largest file.")}
            )

    @property
    def status(self) -> str:
        now = timezone.now()
        if not self.is_published:
            return self.Status.DRAFT
        if self.concluded_at:
            return self.Status.CONCLUDED
        if now < self.opens_at:
            return self.Status.UPCOMING
        if now < self.closes_at:
            return self.Status.OPEN
        return self.Status.CLOSED

    @property
    def status_label(self) -> "StrOrPromise":
        return self.Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def accepts_comments(self) -> bool:
        """Public comments open only with the outcome, apart from the questionnaire.

        While a consultation runs, views go through the questionnaire, where each is read and counted
        the same way and its author chooses whether it is published; a comment form beside it drew
        answers posted in public by mistake. The outcome is what people then discuss.
        """
        return self.status == self.Status.CONCLUDED

    @property
    def comments_closed_message(self) -> "StrOrPromise":
        return _(
            "Comments on a consultation open when its outcome is published. "
            "While it is open, give your views by responding to the consultation."
        )

    @property
    def time_left(self) -> timedelta:
        return max(self.closes_at - timezone.now(), timedelta(0))

    @property
    def questions_locked(self) -> bool:
        """The question set is fixed once anyone has started answering, so every response answers the same questions."""
        return self.responses.exists()


class Conditional(models.Model):
    """Routing: a page or question asked only when an earlier answer has one of the given values.

    The source is the respondent type (asked first, on "about you") or an earlier choice question;
    ``consultations.routing`` reads these fields, the admin writes them.
    """

    class Source(models.TextChoices):
        ALWAYS = "", _("Always")
        RESPONDENT_TYPE = "respondent_type", _("The respondent type")
        QUESTION = "question", _("An earlier question")

    condition_source = models.CharField(
        _("ask only when"), max_length=20, choices=Source.choices, blank=True, default=""
    )
    condition_question = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    condition_values = models.JSONField(default=list, blank=True)

    # Not stored: set by routing.describe for the consultation page's list of questions.
    asked_when_text: "StrOrPromise"

    class Meta:
        abstract = True


class Section(Conditional):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, default="", help_text=_("Shown above the questions on this page."))
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(condition_source="question", condition_question__isnull=False)
                | (~Q(condition_source="question") & Q(condition_question__isnull=True)),
                name="section_condition_names_its_question",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Question(Conditional):
    class Kind(models.TextChoices):
        FREE_TEXT = "text", _("Free text")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Agree–disagree scale")
        YES_NO = "yesno", _("Yes or no")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FREE_TEXT)
    text = models.CharField(max_length=500)
    help_text = models.TextField(blank=True, default="")
    required = models.BooleanField(default=False)
    max_length = models.PositiveIntegerField(
        default=2000, help_text=_("For free text: the most characters an answer may have.")
    )
    options = models.TextField(
        blank=True, default="", help_text=_("For single and multiple choice: one option per line.")
    )
    allow_other = models.BooleanField(_("offer “Other, please specify”"), default=False)
    accepts_files = models.BooleanField(
        _("accept files"),
        default=False,
        help_text=_(
            "Respondents may attach documents to their answer, such as a position paper (PDF, Word, "
            "OpenDocument or plain text). For free text, a file alone answers the question. Files are "
            "never published; analysts read them."
        ),
    )

    # Not stored: set by selectors.response_answers, the questionnaire page that asks the question
    # and the files the response attached to its answer.
    page: int
    uploads: list["Attachment"]

    class Meta:
        ordering = ["section__order", "section_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(condition_source="question", condition_question__isnull=False)
                | (~Q(condition_source="question") & Q(condition_question__isnull=True)),
                name="question_condition_names_its_question",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.section_id and self.consultation_id and self.section.consultation_id != self.consultation_id:
            raise ValidationError({"section": _("Choose a section of this consultation.")})

    @property
    def is_choice(self) -> bool:
        return self.kind != self.Kind.FREE_TEXT

    def option_choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs; for editors' own options the value is the label itself."""
        if self.kind == self.Kind.SCALE:
            return [(value, str(label)) for value, label in AGREE_SCALE]
        if self.kind == self.Kind.YES_NO:
            return [(value, str(label)) for value, label in YES_NO]
        if self.kind == self.Kind.FREE_TEXT:
            return []
        pairs = [(line.strip(), line.strip()) for line in self.options.splitlines() if line.strip()]
        if self.allow_other:
            pairs.append((OTHER, str(_("Other, please specify"))))
        return pairs

    def label_for(self, value: str) -> str:
        return dict(self.option_choices()).get(value, value)


class QuestionTag(models.Model):
    """A theme analysts give to answers of one question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=80)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="unique_tag_per_question")]

    def __str__(self) -> str:
        return self.name


class LateResponseLink(models.Model):
    """A staff-issued invitation to respond after closing, for one person, until it expires."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="late_links")
    email = models.EmailField()
    reason = models.CharField(max_length=300, help_text=_("Why a late response is accepted, for the record."))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.consultation}: {self.email}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:late_response", kwargs={"token": self.token})

    @property
    def is_valid(self) -> bool:
        return self.expires_at > timezone.now() and not self.consultation.concluded_at


class ResponseQuerySet(models.QuerySet):
    def submitted(self) -> "ResponseQuerySet":
        return self.filter(status=Response.Status.SUBMITTED)

    def drafts(self) -> "ResponseQuerySet":
        return self.filter(status=Response.Status.DRAFT)

    def wanting_outcome(self) -> "ResponseQuerySet":
        return self.submitted().filter(wants_outcome=True).exclude(email="")


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RespondentType(models.TextChoices):
        INDIVIDUAL = "individual", _("As an individual")
        ORGANISATION = "organisation", _("On behalf of an organisation")

    class Consent(models.TextChoices):
        NAMED = "named", _("Publish my response with my name (and organisation)")
        ANONYMOUS = "anonymous", _("Publish my response anonymously")
        PRIVATE = "private", _("Do not publish my response")

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultation_responses",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The token is the secret in save-and-return and receipt links; the reference is
    # quoted to the team; the public reference is all the site ever shows.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # Held in the session of the one browser that may work on the draft: the one that started it, or
    # the last to prove the address (token links can be forwarded; this never leaves the site).
    holder_key = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    public_reference = models.CharField(max_length=16, unique=True, editable=False)
    email = models.EmailField(blank=True, default="")
    name = models.CharField(max_length=120, blank=True, default="")
    respondent_type = models.CharField(max_length=12, choices=RespondentType.choices, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")
    organisation_role = models.CharField(max_length=200, blank=True, default="")
    tobacco_links = models.CharField(max_length=3, choices=YES_NO, blank=True, default="")
    tobacco_links_details = models.TextField(blank=True, default="")
    other_interests = models.TextField(blank=True, default="")
    consent = models.CharField(max_length=10, choices=Consent.choices, blank=True, default="")
    wants_outcome = models.BooleanField(default=True)
    late_link = models.ForeignKey(LateResponseLink, null=True, blank=True, on_delete=models.SET_NULL)
    pages_done = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    analysed = models.BooleanField(default=False)
    personal_data_removed_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    # Not stored: set by selectors.responses_of_person, a draft that still accepts changes.
    can_continue: bool

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return self.public_reference

    def save(self, *args, **kwargs) -> None:
        if not self.reference:
            self.reference = new_reference("CR")
        if not self.public_reference:
            self.public_reference = new_reference("R")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The private link: resume a draft or read the receipt. Only ever sent to the respondent."""
        return reverse("consultations:response_link", kwargs={"token": self.token})

    @property
    def display_name(self) -> str:
        """The name published beside an answer, honouring the respondent's consent."""
        if self.consent != self.Consent.NAMED or not self.name:
            return str(_("Anonymous"))
        if self.respondent_type == self.RespondentType.ORGANISATION and self.organisation:
            return f"{self.name}, {self.organisation}"
        return self.name


class AnswerQuerySet(models.QuerySet):
    def published(self) -> "AnswerQuerySet":
        # Consent is checked again here, so no stray publication state can publish a private response.
        return self.filter(
            publication__in=[Answer.Publication.APPROVED, Answer.Publication.REDACTED],
            response__status=Response.Status.SUBMITTED,
            response__consent__in=[Response.Consent.NAMED, Response.Consent.ANONYMOUS],
        )

    def awaiting_moderation(self) -> "AnswerQuerySet":
        return self.filter(publication=Answer.Publication.PENDING, response__status=Response.Status.SUBMITTED)

    def quotable(self) -> "AnswerQuerySet":
        """Answers the summary may quote: published after moderation, from a respondent who agreed to it.

        Consent is checked by ``published`` as well as at publication, so no path to the summary skips it.
        """
        return (
            self.published()
            .filter(response__consent__in=[Response.Consent.NAMED, Response.Consent.ANONYMOUS])
            .exclude(text="")
        )


class Answer(models.Model):
    class Publication(models.TextChoices):
        NOT_REQUESTED = "none", _("Not for publication")
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Published")
        REDACTED = "redacted", _("Published with redactions")
        REJECTED = "rejected", _("Not published")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # Choice answers hold option values; "other" text and free text are in ``text``.
    selected = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, default="")
    fingerprint = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    tags = models.ManyToManyField(QuestionTag, related_name="answers", blank=True)
    note = models.TextField(_("analyst note"), blank=True, default="")
    publication = models.CharField(
        max_length=10, choices=Publication.choices, default=Publication.NOT_REQUESTED, db_index=True
    )
    published_text = models.TextField(blank=True, default="", help_text=_("The text as published, after redaction."))
    moderation_reasons = models.JSONField(default=list, blank=True, editable=False)
    summary_quote = models.BooleanField(
        _("quote in the published summary"),
        default=False,
        help_text=_("Chosen by an analyst; shown only while the respondent's consent and the moderation allow."),
    )

    objects = AnswerQuerySet.as_manager()

    # Not stored: set by the analysts' question page, the files the response attached to this question.
    uploads: list["Attachment"]

    class Meta:
        ordering = ["response_id", "question_id"]
        permissions = [("moderate_answer", _("Can publish, redact or reject answers for publication"))]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.response.public_reference}: {self.question}"

    @property
    def is_blank(self) -> bool:
        return not self.selected and not self.text.strip()

    def display(self) -> str:
        """The answer as a person reads it: option labels, then any text."""
        labels = [self.question.label_for(value) for value in self.selected if value != OTHER]
        parts = ["; ".join(labels)] if labels else []
        if self.text:
            parts.append(self.text)
        return "\n".join(parts)


class AttachmentStorage(LazyObject):
    """The private storage of attachments (settings.STORAGES["consultation_attachments"]), found when first used.

    A FileField calls a storage callable once, at import; this lazy object lets the configuration
    (and a test's temporary folder) be read when files are first stored instead, as default_storage does.
    """

    def _setup(self) -> None:
        self._wrapped = storages["consultation_attachments"]


attachment_files = AttachmentStorage()


def attachment_storage() -> Storage:
    return attachment_files  # type: ignore[return-value]  # a LazyObject stands in for the storage it wraps


def attachment_name(instance: "Attachment", filename: str) -> str:
    # A random name: nothing of the respondent's file name reaches the disk or any listing of it.
    return secrets.token_urlsafe(32)


class Attachment(models.Model):
    """A file a respondent attached to their answer to a question; never published.

    Kept beside the answer rather than on it, so a file alone can answer a free-text question
    and the answer rows keep their rules (a blank answer is removed, not stored).
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        ODT = "odt", "OpenDocument text (ODT)"
        TEXT = "text", _("Plain text")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attachments")
    # In download URLs, which also need the response's token, the browser's draft or the analyst's permission.
    key = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    file = models.FileField(storage=attachment_storage, upload_to=attachment_name, max_length=200)
    filename = models.CharField(max_length=120, help_text=_("The respondent's file name, cleaned."))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField(help_text=_("In bytes."))
    scanned = models.BooleanField(default=False, help_text=_("Checked by the antivirus daemon before it was accepted."))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["response", "question"])]

    def __str__(self) -> str:
        return self.filename
