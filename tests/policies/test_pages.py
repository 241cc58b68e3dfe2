from datetime import timedelta

import pytest
from django.utils import timezone

from policies.models import PolicyAnalysis
from tests.factories import (
    AnalysisFactory,
    QuoteCitationFactory,
    ReportFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_it_lists_published_analyses_with_pagination(client):
    AnalysisFactory.create_batch(12)
    AnalysisFactory(title="Secret draft", status=PolicyAnalysis.Status.DRAFT)
    first = client.get("/analyses/")
    assert first.status_code == 200
    assert len(first.context["page"]) == 10
    assert b"Secret draft" not in first.content
    second = client.get("/analyses/?page=2")
    assert len(second.context["page"]) == 2


def test_it_filters_the_list_by_topic(client):
    topic = TopicFactory()
    tagged = AnalysisFactory()
    tagged.topics.add(topic)
    AnalysisFactory(title="Untagged")
    response = client.get(f"/analyses/?topic={topic.slug}")
    assert list(response.context["page"]) == [tagged]
    assert client.get("/analyses/?topic=nope").status_code == 404


@pytest.mark.parametrize("status", [PolicyAnalysis.Status.DRAFT, PolicyAnalysis.Status.SCHEDULED])
def test_unpublished_analyses_are_404_for_the_public_and_previews_for_editors(
    client_for, anonymous, stakeholder, moderator, editor, superuser, status
):
    analysis = AnalysisFactory(status=status, publish_at=timezone.now() + timedelta(days=1))
    for user in (anonymous, stakeholder, moderator):
        assert client_for(user).get(analysis.get_absolute_url()).status_code == 404
    for user in (editor, superuser):
        response = client_for(user).get(analysis.get_absolute_url())
        assert response.status_code == 200
        assert b"Preview." in response.content
        assert response["X-Robots-Tag"] == "noindex"


def test_the_analysis_page_shows_what_a_reader_needs(client):
    topic = TopicFactory(name="Research clusters")
    report = ReportFactory(title="Clusters: Investing for Impact")
    analysis = AnalysisFactory(
        section="Policy & Insight", body="Intro.\n\n[[quote:1]]\n\nOutro.", author__name="Emma Cattermole"
    )
    analysis.topics.add(topic)
    analysis.reports.add(report)
    QuoteCitationFactory(
        analysis=analysis,
        position=1,
        quote__text="Walk down the corridor.",
        quote__speaker__honorific="Dame",
        quote__speaker__name="Nancy Rothwell",
        quote__speaker__role="Deputy Chair",
        quote__speaker__organisation="",
    )
    html = client.get(analysis.get_absolute_url()).content.decode()
    for text in ("Policy &amp; Insight", "Emma Cattermole", "Research clusters", report.url, "Walk down the corridor."):
        assert text in html
    assert "— <a href=" in html and 'Dame Nancy Rothwell</a>, <span class="quote__role">Deputy Chair</span>' in html
    assert html.index("Intro.") < html.index("Walk down the corridor.") < html.index("Outro.")
    assert f'<link rel="canonical" href="http://testserver{analysis.get_absolute_url()}">' not in html
    assert f'rel="canonical" href="http://127.0.0.1:8000{analysis.get_absolute_url()}"' in html
    assert 'property="og:title"' in html and 'name="twitter:card"' in html
    assert html.count("<h1") == 1


def test_the_analysis_page_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    analysis = AnalysisFactory()
    for position in range(1, 6):
        QuoteCitationFactory(analysis=analysis, position=position)
    analysis.topics.add(*TopicFactory.create_batch(5))
    analysis.reports.add(*ReportFactory.create_batch(5))
    # The analysis (4), its updates, related analyses, webinars and open consultations, and the comments.
    with django_assert_max_num_queries(12):
        response = client.get(analysis.get_absolute_url())
    assert response.content.count(b'class="quote"') == 5


def test_topic_and_author_pages_list_their_published_analyses(client):
    topic = TopicFactory()
    analysis = AnalysisFactory()
    analysis.topics.add(topic)
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT, author=analysis.author)
    draft.topics.add(topic)
    for url in (topic.get_absolute_url(), analysis.author.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert list(response.context["page"]) == [analysis]
    assert client.get("/topics/").status_code == 200
    assert client.get("/topics/missing/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "atom/"])
def test_feeds_carry_published_analyses_only(client, suffix):
    topic = TopicFactory()
    analysis = AnalysisFactory(title="Live one")
    analysis.topics.add(topic)
    AnalysisFactory(title="Draft one", status=PolicyAnalysis.Status.DRAFT).topics.add(topic)
    AnalysisFactory(title="Other topic")
    site = client.get(f"/analyses/feed/{suffix}").content.decode()
    assert "Live one" in site and "Other topic" in site and "Draft one" not in site
    per_topic = client.get(f"/topics/{topic.slug}/feed/{suffix}").content.decode()
    assert "Live one" in per_topic and "Other topic" not in per_topic and "Draft one" not in per_topic


def test_sitemap_lists_published_pages_only(client):
    live = AnalysisFactory()
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    xml = client.get("/sitemap.xml").content.decode()
    assert live.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.content.decode()


def test_404_page_is_in_the_site_style(client):
    response = client.get("/analyses/does-not-exist/")
    assert response.status_code == 404
    assert b"Skip to main content" in response.content


def test_home_page_shows_latest_analyses(client):
    AnalysisFactory(title="Fresh thinking")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Fresh thinking" in response.content


def test_list_pages_carry_a_canonical_link_with_their_page(client):
    AnalysisFactory.create_batch(11)
    assert b'<link rel="canonical" href="http://127.0.0.1:8000/analyses/">' in client.get("/analyses/").content
    second = client.get("/analyses/?page=2").content
    assert b'<link rel="canonical" href="http://127.0.0.1:8000/analyses/?page=2">' in second


def test_editors_reach_the_preview_from_the_admin_list(client_for, editor):
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    html = client_for(editor).get("/admin/policies/policyanalysis/").content.decode()
    assert f'href="{draft.get_absolute_url()}"' in html and ">Preview</a>" in html
