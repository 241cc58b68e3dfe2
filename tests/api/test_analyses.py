from datetime import timedelta

import pytest
from django.utils import timezone

from policies.models import PolicyAnalysis
from tests.api.conftest import PERSONAS
from tests.factories import (
    AnalysisFactory,
    AuthorFactory,
    QuoteCitationFactory,
    ReportFactory,
    TopicFactory,
)
from tests.policies.test_figures import CHART_DATA, make_figure

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def test_it_lists_published_analyses_newest_first(api):
    older = AnalysisFactory(publish_at=days_ago(5))
    newer = AnalysisFactory(publish_at=days_ago(1))
    AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)
    AnalysisFactory(status=PolicyAnalysis.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1))

    response = api.get("/api/v1/analyses/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["slug"] for item in body["results"]] == [newer.slug, older.slug]
    first = body["results"][0]
    assert first["url"] == f"http://testserver/api/v1/analyses/{newer.slug}/"
    assert first["html_url"] == f"http://testserver/analyses/{newer.slug}/"
    assert first["author"]["slug"] == newer.author.slug


def test_it_breaks_ties_in_publish_time_by_newest_row_so_pages_never_overlap(api):
    moment = days_ago(2)
    analyses = [AnalysisFactory(publish_at=moment) for _ in range(5)]

    first = api.get("/api/v1/analyses/", {"page_size": 3}).json()
    second = api.get("/api/v1/analyses/", {"page_size": 3, "page": 2}).json()

    slugs = [item["slug"] for item in first["results"] + second["results"]]
    assert slugs == [analysis.slug for analysis in reversed(analyses)]
    assert first["next"].endswith("page=2&page_size=3")
    assert second["next"] is None


def test_it_filters_by_topic_author_dates_and_words(api):
    prevention = TopicFactory(slug="prevention")
    author = AuthorFactory(slug="grace")
    match = AnalysisFactory(title="Tobacco levy works", author=author, publish_at=days_ago(10))
    match.topics.add(prevention)
    AnalysisFactory(title="Tobacco elsewhere", publish_at=days_ago(10))
    older = AnalysisFactory(title="Levy on sugar", author=author, publish_at=days_ago(40))

    def slugs(**params) -> list[str]:
        response = api.get("/api/v1/analyses/", params)
        assert response.status_code == 200, response.json()
        return [item["slug"] for item in response.json()["results"]]

    assert slugs(topic="prevention") == [match.slug]
    assert slugs(author="grace", published_after=days_ago(20).date().isoformat()) == [match.slug]
    assert slugs(published_before=days_ago(20).date().isoformat()) == [older.slug]
    assert slugs(search="tobacco levy") == [match.slug]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"topic": "no-such-topic"}, "topic"),
        ({"author": "nobody"}, "author"),
        ({"published_after": "last tuesday"}, "published_after"),
        ({"search": "x" * 201}, "search"),
        ({"search": "null\x00byte"}, "search"),
        ({"page": "two"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_it_refuses_bad_query_parameters_with_the_field_named(api, params, field):
    AnalysisFactory()

    response = api.get("/api/v1/analyses/", params)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert field in body["errors"]


def test_a_page_past_the_end_is_not_found(api):
    AnalysisFactory()

    response = api.get("/api/v1/analyses/", {"page": 9})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_detail_has_body_html_quotes_in_position_and_reports(api):
    analysis = AnalysisFactory(body="Intro.\n\n[[quote:1]]\n\nMore.")
    second = QuoteCitationFactory(analysis=analysis, position=2)
    first = QuoteCitationFactory(analysis=analysis, position=1)
    analysis.reports.add(ReportFactory(title="The report"))
    analysis.topics.add(TopicFactory(name="Prevention"))

    response = api.get(f"/api/v1/analyses/{analysis.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert "<p>[[quote:1]]</p>" in body["body_html"]
    assert [(item["position"], item["quote"]["text"]) for item in body["quotes"]] == [
        (1, first.quote.text),
        (2, second.quote.text),
    ]
    assert body["quotes"][0]["quote"]["speaker"]["full_name"] == first.quote.speaker.full_name
    assert [report["title"] for report in body["reports"]] == ["The report"]
    assert [topic["name"] for topic in body["topics"]] == ["Prevention"]
    assert body["is_published"] is True


@pytest.mark.parametrize("persona", PERSONAS)
def test_drafts_are_visible_to_editors_only(api_as, persona):
    draft = AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)

    response = api_as(persona).get(f"/api/v1/analyses/{draft.slug}/")

    assert response.status_code == (200 if persona == "editor" else 404)
    if persona == "editor":
        assert response.json()["is_published"] is False


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_only_published_analyses_whoever_asks(api_as, persona):
    published = AnalysisFactory()
    AnalysisFactory(status=PolicyAnalysis.Status.DRAFT)

    response = api_as(persona).get("/api/v1/analyses/")

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [published.slug]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_analyses_cannot_be_written_through_the_api(api_as, persona, method):
    analysis = AnalysisFactory()
    client = api_as(persona)

    response = getattr(client, method)(f"/api/v1/analyses/{analysis.slug}/", {}, format="json")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert set(response.json()) == {"detail", "code", "errors"}


def test_the_list_takes_a_constant_number_of_queries(api, django_assert_max_num_queries):
    topics = TopicFactory.create_batch(3)
    for _ in range(15):
        AnalysisFactory().topics.set(topics)

    # count, page, topics
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/analyses/", {"page_size": 15})

    assert len(response.json()["results"]) == 15


def test_the_detail_takes_a_constant_number_of_queries(api, django_assert_max_num_queries):
    analysis = AnalysisFactory()
    analysis.topics.set(TopicFactory.create_batch(3))
    analysis.reports.set(ReportFactory.create_batch(3))
    for position in range(1, 6):
        QuoteCitationFactory(analysis=analysis, position=position)

    # analysis with author, topics, reports, citations with quote, speaker and webinar
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/analyses/{analysis.slug}/")

    assert len(response.json()["quotes"]) == 5


def test_the_detail_lists_the_figures_its_body_places_with_renditions_and_data(api):
    make_figure(slug="second", size=(500, 250))
    make_figure(slug="first", caption="Funding", credit="UKRI", data_table=CHART_DATA)
    make_figure(slug="unused")
    analysis = AnalysisFactory(body="[[figure:first]]\n\nText.\n\n[[figure:missing]]\n\n[[figure:second]]")

    body = api.get(f"/api/v1/analyses/{analysis.slug}/").json()

    assert [figure["slug"] for figure in body["figures"]] == ["first", "second"]
    first = body["figures"][0]
    assert (first["width"], first["height"], first["caption"], first["credit"]) == (1000, 500, "Funding", "UKRI")
    assert first["alt"] == "Bars: one long, one short."
    assert [r["width"] for r in first["renditions"]] == [320, 640, 960, 1000]
    assert first["renditions"][0]["webp"].startswith("http://testserver/media/figures/renditions/first-320")
    assert first["data_table"] == {
        "headings": ["Fund", "£ million"],
        "rows": [["Local Innovation Partnerships", "500"], ["Global Talent", "54"]],
    }
    assert body["figures"][1]["data_table"] is None
    assert "<p>[[figure:first]]</p>" in body["body_html"]
