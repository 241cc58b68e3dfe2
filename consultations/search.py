"""What site search may find among consultations: published ones (never drafts), and, as a kind of its
own, the published outcome of a concluded one ("you said" and "we did"), found on its page's outcome."""

from typing import cast

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from core.search import Searchable


def searchable_consultations() -> QuerySet[Consultation]:
    # ConsultationQuerySet is not parameterised by its model, so it is typed here.
    consultations = Consultation.objects.published().annotate(
        search_title=F("title"), search_summary=F("summary"), search_body=F("body"), search_date=F("opens_at")
    )
    return cast("QuerySet[Consultation]", consultations)


def searchable_outcomes() -> QuerySet[Consultation]:
    outcomes = Consultation.objects.concluded().annotate(
        search_title=F("title"), search_summary=F("you_said"), search_body=F("we_did"), search_date=F("concluded_at")
    )
    return cast("QuerySet[Consultation]", outcomes)


CONSULTATIONS = Searchable(kind="consultation", label=_("Consultation"), queryset=searchable_consultations)
OUTCOMES = Searchable(
    kind="outcome", label=_("Consultation outcome"), queryset=searchable_outcomes, fragment="#outcome-heading"
)
