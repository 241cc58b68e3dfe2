"""Topics, authors, reports, webinars, speakers and quotes: public, read-only, constant queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import PERSONAS
from tests.factories import (
    AppearanceFactory,
    AuthorFactory,
    QuoteFactory,
    ReportFactory,
    SpeakerFactory,
    TopicFactory,
    WebinarFactory,
)

pytestmark = pytest.mark.django_db

RESOURCES = {
    "topics": (lambda: TopicFactory(), "slug"),
    "authors": (lambda: AuthorFactory(), "slug"),
    "reports": (lambda: ReportFactory(), "slug"),
    "webinars": (lambda: AppearanceFactory().webinar, "slug"),
    "speakers": (lambda: SpeakerFactory(), "slug"),
    "quotes": (lambda: QuoteFactory(), "pk"),
}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_the_list_and_the_detail(api_as, persona, resource):
    make, lookup = RESOURCES[resource]
    obj = make()
    client = api_as(persona)

    listing = client.get(f"/api/v1/{resource}/")
    detail = client.get(f"/api/v1/{resource}/{getattr(obj, lookup)}/")

    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert detail.status_code == 200
    assert detail.json()["url"] == f"http://testserver/api/v1/{resource}/{getattr(obj, lookup)}/"


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_unknown_object_is_a_json_404(api, resource):
    missing = "12345" if RESOURCES[resource][1] == "pk" else "no-such-thing"

    response = api.get(f"/api/v1/{resource}/{missing}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_is_written_through_the_catalogue(api_as, persona, resource):
    response = api_as(persona).post(f"/api/v1/{resource}/", {"name": "New"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("resource", RESOURCES)
def test_each_list_takes_a_constant_number_of_queries(api, resource, django_assert_max_num_queries):
    make, _ = RESOURCES[resource]
    for _ in range(12):
        make()
    webinar = WebinarFactory()
    webinar.topics.set(TopicFactory.create_batch(2))

    # count, page, and for webinars their topics and speakers
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/{resource}/", {"page_size": 50})

    assert response.status_code == 200
    assert len(response.json()["results"]) >= 12


def test_a_webinar_lists_its_speakers_in_running_order_with_roles(api):
    webinar = WebinarFactory()
    AppearanceFactory(webinar=webinar, order=2, role="panellist", speaker=SpeakerFactory(name="Second"))
    AppearanceFactory(webinar=webinar, order=1, role="chair", speaker=SpeakerFactory(name="First"))

    body = api.get(f"/api/v1/webinars/{webinar.slug}/").json()

    assert [(item["role"], item["speaker"]["full_name"]) for item in body["speakers"]] == [
        ("chair", "Professor First"),
        ("panellist", "Professor Second"),
    ]
    assert body["html_url"] == f"http://testserver/webinars/{webinar.slug}/"


def test_webinars_filter_upcoming_past_and_topic(api):
    past = WebinarFactory(starts_at=timezone.now() - timedelta(days=3))
    upcoming = WebinarFactory(starts_at=timezone.now() + timedelta(days=3))
    topic = TopicFactory(slug="prevention")
    upcoming.topics.add(topic)

    def slugs(**params) -> list[str]:
        return [item["slug"] for item in api.get("/api/v1/webinars/", params).json()["results"]]

    assert slugs(when="past") == [past.slug]
    assert slugs(when="upcoming") == [upcoming.slug]
    assert slugs(topic="prevention") == [upcoming.slug]
    response = api.get("/api/v1/webinars/", {"when": "someday"})
    assert response.status_code == 400
    assert "when" in response.json()["errors"]


def test_quotes_filter_by_speaker_and_webinar(api):
    quote = QuoteFactory()
    QuoteFactory()

    by_speaker = api.get("/api/v1/quotes/", {"speaker": quote.speaker.slug}).json()["results"]
    by_webinar = api.get("/api/v1/quotes/", {"webinar": quote.webinar.slug}).json()["results"]

    assert [item["id"] for item in by_speaker] == [quote.pk]
    assert [item["id"] for item in by_webinar] == [quote.pk]
    assert by_speaker[0]["speaker"]["slug"] == quote.speaker.slug


def test_a_report_links_to_where_it_is_read(api):
    report = ReportFactory(url="https://example.org/the-report")

    assert api.get(f"/api/v1/reports/{report.slug}/").json()["link"] == "https://example.org/the-report"


def test_a_quote_id_too_large_for_the_database_is_not_found(api):
    assert api.get("/api/v1/quotes/999999999999999999/").status_code == 404
    assert api.get("/api/v1/quotes/9999999999999999999999/").json()["code"] == "not_found"
