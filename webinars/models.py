"""Webinars, the speakers who appear at them and what they said.

The tables kept the names they had when these models lived in ``consultations`` (``db_table``), so the
move to this app changed no table and no row.
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.models import Stamped
from topics.models import Topic

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Speaker(Stamped):
    honorific = models.CharField(max_length=60, blank=True, help_text=_("For example “Professor Dame”."))
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    role = models.CharField(max_length=250, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="speakers/", blank=True)

    class Meta:
        db_table = "consultations_speaker"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("webinars:speaker", kwargs={"slug": self.slug})

    @property
    def full_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def affiliation(self) -> str:
        """Role and organisation as one phrase, without repeating the organisation."""
        if self.organisation and self.organisation not in self.role:
            return ", ".join(part for part in (self.role, self.organisation) if part)
        return self.role


class WebinarQuerySet(models.QuerySet):
    def upcoming(self) -> "WebinarQuerySet":
        return self.filter(ends_at__gt=timezone.now()).order_by("starts_at")

    def past(self) -> "WebinarQuerySet":
        return self.filter(ends_at__lte=timezone.now()).order_by("-starts_at")


class Webinar(Stamped):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    starts_at = models.DateTimeField(help_text=_("In UK time unless you give another offset."))
    duration = models.DurationField(default=timedelta(hours=1))
    ends_at = models.DateTimeField(editable=False)
    description = models.TextField(help_text=_("Markdown."))
    description_html = models.TextField(editable=False, default="")
    registration_url = models.URLField(blank=True)
    recording_url = models.URLField(blank=True)
    topics = models.ManyToManyField(Topic, related_name="webinars", blank=True)
    speakers = models.ManyToManyField(Speaker, through="Appearance", related_name="webinars")

    objects = WebinarQuerySet.as_manager()

    class Meta:
        db_table = "consultations_webinar"
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.ends_at = self.starts_at + self.duration
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("webinars:webinar", kwargs={"slug": self.slug})

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at > timezone.now()

    @property
    def status(self) -> "StrOrPromise":
        return _("Upcoming") if self.is_upcoming else _("Past")


class Appearance(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        KEYNOTE = "keynote", _("Keynote")
        PANELLIST = "panellist", _("Panellist")

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="appearances")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PANELLIST)
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        db_table = "consultations_appearance"
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["webinar", "speaker"], name="unique_appearance")]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()}) at {self.webinar}"


class Quote(Stamped):
    text = models.TextField()
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quotes")
    webinar = models.ForeignKey(Webinar, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    said_on = models.DateField(null=True, blank=True)
    context = models.CharField(max_length=300, blank=True, help_text=_("What the speaker was answering or discussing."))

    class Meta:
        db_table = "consultations_quote"
        ordering = ["speaker__name", "pk"]

    def __str__(self) -> str:
        excerpt = self.text if len(self.text) <= 60 else f"{self.text[:57]}…"
        return f"{self.speaker.full_name}: {excerpt}"
