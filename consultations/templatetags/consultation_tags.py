"""Dates and times as GOV.UK writes them ("11:59pm on 12 January 2027", always UK time), the
account page's list of a person's responses, and the consultations other pages list by topic."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.contrib.auth.models import User
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation, Response
from consultations.selectors import consultations_on_topics, responses_of_person
from core.page_cache import page_depends_on, page_expires_in
from topics.models import Topic

register = template.Library()

UK = ZoneInfo("Europe/London")


def uk_time(moment: datetime) -> str:
    """ "9am", "5:30pm", "midday", "midnight": no leading zero, no ":00", lower-case am and pm."""
    local = moment.astimezone(UK)
    if local.minute == 0 and local.hour == 0:
        return _("midnight")
    if local.minute == 0 and local.hour == 12:
        return _("midday")
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def uk_moment(moment: datetime | None) -> str:
    """The time and the date spelled out, in UK time whatever the active time zone."""
    if moment is None:
        return ""
    return _("%(time)s on %(date)s") % {
        "time": uk_time(moment),
        "date": dateformat.format(moment.astimezone(UK), "j F Y"),
    }


@register.inclusion_tag("consultations/consultation_your_responses.html")
def your_responses(user: User) -> dict[str, list[Response]]:
    """The account page's "Your responses" section: consultations own it, so accounts need not import them."""
    return {"responses": responses_of_person(user)}


@register.simple_tag(takes_context=True)
def consultations_on(
    context: template.Context,
    topics: Topic | Iterable[Topic],
    open_only: bool = False,
    limit: int | None = None,
) -> list[Consultation]:
    """``{% consultations_on analysis.topics.all open_only=True limit=3 as consultations %}``: the
    published (or only the open) consultations filed under the topics, the latest to open first.

    Analysis and topic pages list them without policies importing consultations, which sits above it.
    A cached page that lists them is emptied when a consultation changes, and kept no longer than the
    first listed one stays open.
    """
    request = context.get("request")
    if request is not None:
        page_depends_on(request, "consultations")  # before the rows it guards are read
    chosen = [topics] if isinstance(topics, Topic) else topics
    consultations = consultations_on_topics(topic_ids=[topic.pk for topic in chosen], open_only=open_only, limit=limit)
    if request is not None and open_only and consultations:
        first_to_close = min(consultation.closes_at for consultation in consultations)
        page_expires_in(request, (first_to_close - timezone.now()).total_seconds())
    return consultations
