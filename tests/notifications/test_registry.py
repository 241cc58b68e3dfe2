"""The outbox finds the content apps' announcements and digest sections through the registry they fill."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments import digest as comments_digest
from consultations import digest as consultations_digest
from consultations.models import Consultation
from notifications import registry
from notifications.models import Frequency
from notifications.registry import AnnouncementSource, DigestPart
from notifications.services.broadcasts import announcements_find_due
from notifications.services.digest import LOOK_AHEAD, WEEK, digest_for, digest_week
from policies import digest as policies_digest
from policies import services as policies_services
from policies.models import PolicyAnalysis
from tests.factories import SubscriberFactory
from webinars import digest as webinars_digest
from webinars import services as webinars_services
from webinars.models import Webinar


def test_each_content_app_offers_its_section_of_the_digest():
    parts = {part.name: part for part in registry.digest_parts()}

    assert parts["analyses"] is policies_digest.DIGEST_PART
    assert parts["webinars"] is webinars_digest.DIGEST_PART
    assert parts["consultations"] is consultations_digest.DIGEST_PART
    assert parts["most_discussed"] is comments_digest.DIGEST_PART
    # The most discussed analyses go beside the news, never alone.
    assert [name for name, part in parts.items() if not part.news] == ["most_discussed"]


def test_analyses_and_webinars_announce_themselves():
    sources = {source.model: source for source in registry.announcement_sources()}

    assert sources[PolicyAnalysis].announce_due == policies_services.analyses_announce_due
    assert sources[Webinar].announce_due == webinars_services.webinars_announce_due
    assert Consultation not in sources  # consultations announce their openings with a beat job of their own


@pytest.mark.django_db
def test_a_broadcasts_template_knows_its_object_by_the_name_its_source_gives():
    def name_of(model) -> str:
        return registry.announcement_context_name(ContentType.objects.get_for_model(model))

    assert name_of(PolicyAnalysis) == "analysis"
    assert name_of(Webinar) == "webinar"
    assert name_of(Consultation) == "consultation"


@pytest.mark.django_db
def test_the_beat_job_asks_every_source_for_what_is_due(monkeypatch, settings):
    asked = []

    def announce_due(since) -> int:
        asked.append(since)
        return 2

    source = AnnouncementSource(model=Consultation, announce_due=announce_due)
    monkeypatch.setitem(registry._announcement_sources, "consultations.consultation", source)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        assert announcements_find_due() == 2

    assert asked == [now - timedelta(hours=settings.NOTIFICATIONS_ANNOUNCE_WINDOW_HOURS)]


@pytest.mark.django_db
def test_the_digest_asks_every_part_for_its_week_and_each_subscribers_share(monkeypatch):
    weeks = []

    def week(period) -> list[str]:
        weeks.append(period)
        return ["first", "second"]

    def share(subscriber, items: list[str]) -> list[str]:
        return items[:1] if subscriber.webinars else []

    monkeypatch.setattr(registry, "_digest_parts", {"notes": DigestPart(name="notes", week=week, share=share)})
    end = timezone.now()
    interested = SubscriberFactory(email="notes@example.org", frequency=Frequency.WEEKLY, webinars=True)
    other = SubscriberFactory(email="other@example.org", frequency=Frequency.WEEKLY, webinars=False)

    the_week = digest_week(end=end)

    assert [(period.start, period.end, period.ahead) for period in weeks] == [(end - WEEK, end, end + LOOK_AHEAD)]
    assert digest_for(interested, the_week) == {"notes": ["first"], "week_end": end}
    assert digest_for(other, the_week) is None
