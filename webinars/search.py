"""What site search may find among webinars: every webinar (all are public), found also by the names,
roles and organisations of its speakers and by what they were quoted saying there."""

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from core.search import JoinedText, Searchable, spaced
from webinars.models import Appearance, Quote, Webinar


def _speakers_text() -> Subquery:
    speakers = (
        Appearance.objects.filter(webinar=OuterRef("pk"))
        .values("webinar")
        .annotate(text=JoinedText(spaced("speaker__name", "speaker__role", "speaker__organisation")))
        .values("text")
    )
    return Subquery(speakers)


def _quotes_text() -> Subquery:
    quotes = (
        Quote.objects.filter(webinar=OuterRef("pk"))
        .values("webinar")
        .annotate(text=JoinedText(spaced("text", "context")))
        .values("text")
    )
    return Subquery(quotes)


def searchable_webinars() -> QuerySet[Webinar]:
    return Webinar.objects.annotate(
        search_title=F("title"),
        search_summary=F("description"),
        search_body=spaced(_speakers_text(), _quotes_text()),
        search_date=F("starts_at"),
    )


WEBINARS = Searchable(kind="webinar", label=_("Webinar"), queryset=searchable_webinars)
