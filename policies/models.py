from datetime import timedelta

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reversion import register as keep_versions

from accounts.permissions import staff_can
from core.data_tables import DataTable, data_table_check, data_table_parse
from core.images import Picture, picture_for
from core.markdown import FIGURE, QUOTE, render_markdown, split_on_markers
from core.models import Stamped
from topics.models import Topic


class Author(Stamped):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    role = models.CharField(max_length=200, blank=True, help_text=_("For example “Policy Manager”."))
    bio = models.TextField(blank=True, help_text=_("A few sentences, shown on the author's page."))
    photo = models.ImageField(upload_to="authors/", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("policies:author", kwargs={"slug": self.slug})


class Report(Stamped):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(blank=True)
    url = models.URLField(blank=True, help_text=_("Where the report is published, if elsewhere."))
    file = models.FileField(upload_to="reports/", blank=True, help_text=_("Or upload the report itself."))
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.url and not self.file:
            raise ValidationError(_("Give the report's address or upload its file."))

    @property
    def link(self) -> str:
        return self.file.url if self.file else self.url


class AnalysisQuerySet(models.QuerySet):
    def published(self) -> "AnalysisQuerySet":
        """Analyses the public may read: scheduled ones appear once their time has come."""
        return self.exclude(status=PolicyAnalysis.Status.DRAFT).filter(publish_at__lte=timezone.now())

    def visible_to(self, user) -> "AnalysisQuerySet":
        if staff_can(user, "policies.view_policyanalysis"):
            return self
        return self.published()

    def for_listing(self) -> "AnalysisQuerySet":
        return self.select_related("author").prefetch_related("topics").order_by("-publish_at", "-pk")


# Every save in a revision (the admin's, the services') keeps a version with the cited quotes; the
# rendered body is derived, so it is left out. Updates readers see are not followed: restoring an old
# version must not erase the record of what changed since.
@keep_versions(follow=("citations",), exclude=("body_html",))
class PolicyAnalysis(Stamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    section = models.CharField(max_length=60, default="Policy & Insight", help_text=_("The label above the title."))
    kind = models.CharField(max_length=40, default="Analysis", help_text=_("Shown after the author's name."))
    standfirst = models.TextField(help_text=_("One or two sentences that open the piece and appear in lists."))
    body = models.TextField(
        help_text=_(
            "Markdown. To place a cited quote, put [[quote:1]] on a line of its own, "
            "where 1 is the citation's position below; to place a figure, [[figure:its-slug]]."
        )
    )
    body_html = models.TextField(editable=False, default="")
    hero_image = models.ImageField(
        upload_to="analyses/", blank=True, width_field="hero_width", height_field="hero_height"
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)
    hero_alt = models.CharField(
        _("hero image alt text"),
        max_length=300,
        blank=True,
        help_text=_("Describe the picture for people who can't see it."),
    )
    hero_caption = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="analyses")
    topics = models.ManyToManyField(Topic, related_name="analyses", blank=True)
    reports = models.ManyToManyField(Report, related_name="analyses", blank=True, verbose_name=_("reports referenced"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        default=timezone.now, help_text=_("A scheduled analysis appears on the site at this time.")
    )
    featured_webinar = models.ForeignKey(
        "webinars.Webinar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="featured_in",
        help_text=_(
            "Shown after the body as “Looking back on our webinar”: its speakers, what each said there "
            "and the recording, all taken from the webinar's own page."
        ),
    )
    comments_open = models.BooleanField(default=True)
    close_comments_after_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Close the discussion this many days after publication. Empty: never.")
    )
    # Site search's weighted words, kept by a PostgreSQL trigger (migration 0007); empty on SQLite,
    # where search reads the text itself. All of them (title A, standfirst B, body C) for matching, through
    # a GIN index (and one of its neighbouring pairs of words, for phrases: 0009); those of the title,
    # standfirst and the body's opening (to a whole word) for ranking, a vector small enough to be read
    # for thousands of matches in milliseconds, with GIN indexes of its own and of its title part (0008,
    # 0010).
    search_vector = SearchVectorField(null=True, editable=False)
    search_rank_vector = SearchVectorField(null=True, editable=False)

    objects = AnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        verbose_name = _("policy analysis")
        verbose_name_plural = _("policy analyses")
        indexes = [
            models.Index(fields=["status", "publish_at"]),
            GinIndex(fields=["search_vector"], name="policies_analysis_search"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("policies:analysis", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": _("A hero image needs alt text.")})
        if self.status == self.Status.SCHEDULED and self.publish_at and self.publish_at <= timezone.now():
            raise ValidationError({"publish_at": _("A scheduled analysis needs a publish time in the future.")})

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.DRAFT and self.publish_at <= timezone.now()

    @property
    def comments_close_at(self):
        if self.close_comments_after_days is None:
            return None
        return self.publish_at + timedelta(days=self.close_comments_after_days)

    @property
    def accepts_comments(self) -> bool:
        close_at = self.comments_close_at
        return self.is_published and self.comments_open and (close_at is None or timezone.now() < close_at)

    @property
    def hero_picture(self) -> Picture:
        return picture_for(self.hero_image, self.hero_renditions, self.hero_width, self.hero_height)

    def body_blocks(self, citations: list["QuoteCitation"], figures: dict[str, "Figure"] | None = None) -> list[dict]:
        """The body as HTML pieces, quote blocks and figure blocks, in reading order.

        Citations no marker places follow the body, so none is lost. A figure marker whose slug
        names no figure becomes a ``missing_figure`` block, which only editors' previews show.
        """
        by_position = {citation.position: citation for citation in citations}
        figures = figures or {}
        blocks: list[dict] = []
        for piece in split_on_markers(self.body_html):
            if isinstance(piece, str):
                blocks.append({"html": piece})
            elif piece.kind == QUOTE:
                citation = by_position.pop(int(piece.key), None)
                if citation:
                    blocks.append({"quote": citation.quote})
            elif piece.kind == FIGURE:
                blocks.append(self._figure_block(figures.get(piece.key), piece.key, first=not blocks))
        blocks.extend({"quote": citation.quote} for citation in sorted(by_position.values(), key=lambda c: c.position))
        return blocks

    def _figure_block(self, figure: "Figure | None", slug: str, first: bool) -> dict:
        if figure is None:
            return {"missing_figure": slug}
        # A figure that opens a body with no hero is in the first screen: the browser fetches it at once.
        return {"figure": figure, "eager": first and not self.hero_image}


@keep_versions()
class QuoteCitation(models.Model):
    """A quote an analysis cites, placed in its body by ``[[quote:position]]``."""

    analysis = models.ForeignKey(PolicyAnalysis, on_delete=models.CASCADE, related_name="citations")
    quote = models.ForeignKey("webinars.Quote", on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "position"], name="unique_citation_position"),
            models.UniqueConstraint(fields=["analysis", "quote"], name="unique_citation_quote"),
        ]

    def __str__(self) -> str:
        return f"[[quote:{self.position}]] {self.quote}"


class AnalysisUpdate(models.Model):
    """A change to the body of an analysis after it was published: readers see "Updated" and the note."""

    analysis = models.ForeignKey(PolicyAnalysis, on_delete=models.CASCADE, related_name="updates")
    made_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(
        max_length=300, blank=True, help_text=_("What changed, in a sentence readers understand. Optional.")
    )

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("update")
        verbose_name_plural = _("updates readers see")

    def __str__(self) -> str:
        return self.note or str(_("Body revised"))


ALT_TEXT_MISSING = _("Describe the picture for people who can't see it, or tick “decorative” if it adds nothing.")
DECORATIVE_WITH_ALT = _("A decorative picture has no alt text: clear it, or untick “decorative”.")
DECORATIVE_CHART = _("A chart with a data table carries information, so it is not decorative.")


class Figure(Stamped):
    """A picture or chart an analysis places in its body with ``[[figure:slug]]``."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text=_("Place it in an analysis with [[figure:this-slug]] on a line of its own."),
    )
    image = models.ImageField(upload_to="figures/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        max_length=500,
        blank=True,
        help_text=_(
            "What the picture shows, for people who can't see it. For a chart, its main finding "
            "(the data table gives the numbers)."
        ),
    )
    decorative = models.BooleanField(
        default=False,
        help_text=_("Tick only if the picture adds nothing to the text; screen readers will then skip it."),
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(
        max_length=200, blank=True, help_text=_("For example “Photo: Jane Doe” or “Source: ONS”.")
    )
    data_table = models.TextField(
        _("data table (CSV)"),
        blank=True,
        validators=[data_table_check],
        help_text=_(
            "For a chart: its numbers as CSV, shown to readers under “Show the data for this chart”. "
            "First row: the column headings; first cell of each other row: what the row is."
        ),
    )
    renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decorative=True) | ~models.Q(alt_text=""), name="figure_alt_text_unless_decorative"
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.slug

    def clean(self) -> None:
        self.alt_text = self.alt_text.strip()
        if self.decorative and self.alt_text:
            raise ValidationError({"alt_text": DECORATIVE_WITH_ALT})
        if self.decorative and self.data_table.strip():
            raise ValidationError({"decorative": DECORATIVE_CHART})
        if not self.decorative and not self.alt_text:
            raise ValidationError({"alt_text": ALT_TEXT_MISSING})

    @property
    def marker(self) -> str:
        return f"[[figure:{self.slug}]]"

    @property
    def alt(self) -> str:
        return "" if self.decorative else self.alt_text

    @property
    def picture(self) -> Picture:
        return picture_for(self.image, self.renditions, self.width, self.height)

    @property
    def table(self) -> DataTable | None:
        try:
            return data_table_parse(self.data_table)
        except ValidationError:
            return None
