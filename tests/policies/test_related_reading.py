"""Related reading under an analysis, and a topic's page gathering every kind of content filed under it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.models import PolicyAnalysis
from tests.factories import AnalysisFactory, ConsultationFactory, TopicFactory, WebinarFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def test_it_lists_other_analyses_open_consultations_and_webinars_on_the_same_topics(client):
    topic, elsewhere = TopicFactory(), TopicFactory()
    analysis = AnalysisFactory(title="This one")
    analysis.topics.add(topic)
    older = AnalysisFactory(title="Older analysis", publish_at=days_ago(20))
    newer = AnalysisFactory(title="Newer analysis", publish_at=days_ago(2))
    draft = AnalysisFactory(title="Draft analysis", status=PolicyAnalysis.Status.DRAFT)
    unrelated = AnalysisFactory(title="Unrelated analysis")
    open_one = ConsultationFactory(title="Open consultation")
    closed = ConsultationFactory(title="Closed consultation", opens_at=days_ago(30), closes_at=days_ago(1))
    webinar = WebinarFactory(title="A webinar on it")
    for item in (older, newer, draft, open_one, closed, webinar):
        item.topics.add(topic)
    unrelated.topics.add(elsewhere)

    response = client.get(analysis.get_absolute_url())

    html = response.content.decode()
    related = html[html.index('id="related-heading"') : html.index('id="comments"')]
    assert related.index("Newer analysis") < related.index("Older analysis")
    for absent in ("This one", "Draft analysis", "Unrelated analysis", "Closed consultation"):
        assert absent not in related
    assert "Open consultation" in related and "A webinar on it" in related


def test_an_analysis_without_topics_has_no_related_reading(client):
    AnalysisFactory()
    response = client.get(AnalysisFactory().get_absolute_url())
    assert b"Related reading" not in response.content


def test_the_featured_webinar_is_not_listed_again(client):
    topic = TopicFactory()
    webinar = WebinarFactory(title="Featured one", starts_at=days_ago(10))
    webinar.topics.add(topic)
    analysis = AnalysisFactory(featured_webinar=webinar)
    analysis.topics.add(topic)

    html = client.get(analysis.get_absolute_url()).content.decode()

    assert "Related reading" not in html and "Featured one" in html


def page_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def filed(topics: int, items: int):
    chosen = TopicFactory.create_batch(topics)
    analysis = AnalysisFactory()
    analysis.topics.add(*chosen)
    for n in range(items):
        for made in (AnalysisFactory(publish_at=days_ago(n + 2)), ConsultationFactory(), WebinarFactory()):
            made.topics.add(*chosen)
    return analysis, chosen[0]


def test_related_reading_costs_the_same_queries_for_one_topic_or_many(client):
    one, _ = filed(topics=1, items=1)
    many, _ = filed(topics=6, items=8)

    assert page_queries(client, one.get_absolute_url()) == page_queries(client, many.get_absolute_url())


def test_a_topic_page_gathers_analyses_consultations_and_webinars(client):
    topic = TopicFactory()
    analysis = AnalysisFactory(title="An analysis on it")
    consultation = ConsultationFactory(title="A consultation on it")
    webinar = WebinarFactory(title="A webinar on it")
    for item in (analysis, consultation, webinar):
        item.topics.add(topic)
    ConsultationFactory(title="Draft consultation", is_published=False).topics.add(topic)

    html = client.get(topic.get_absolute_url()).content.decode()

    for title in ("An analysis on it", "A consultation on it", "A webinar on it"):
        assert title in html
    assert "Draft consultation" not in html
    assert html.index('id="analyses-heading"') < html.index('id="consultations-heading"')
    assert html.index('id="consultations-heading"') < html.index('id="webinars-heading"')


def test_a_topic_page_costs_the_same_queries_with_one_item_or_many(client):
    _, few = filed(topics=1, items=1)
    _, lots = filed(topics=3, items=9)

    assert page_queries(client, few.get_absolute_url()) == page_queries(client, lots.get_absolute_url())
