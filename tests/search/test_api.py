"""/api/v1/search/: the page's search as JSON, with field errors for bad input, throttled and documented."""

import pytest

from consultations.demo import CONCLUDED_SLUG
from core.api.common import AnonymousThrottle, UserThrottle
from policies.demo import SEED_SLUG
from search.api import SearchViewSet

URL = "/api/v1/search/"


def test_it_answers_results_by_relevance_with_marked_passages(demo, api):
    response = api.get(URL, {"q": "research clusters", "page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 4
    assert body["previous"] is None
    assert body["next"].endswith("page=2&page_size=2&q=research+clusters")
    first = body["results"][0]
    assert set(first) == {"kind", "kind_label", "title", "title_html", "url", "date", "excerpt_html", "topics", "rank"}
    assert [result["rank"] for result in body["results"]] == sorted(
        (result["rank"] for result in body["results"]), reverse=True
    )
    urls = [result["url"] for result in body["results"]]
    assert f"http://testserver/analyses/{SEED_SLUG}/" in urls or body["results"][0]["kind"] == "consultation"
    assert "<mark>" in first["title_html"]


def test_it_filters_like_the_page(demo, api):
    body = api.get(URL, {"q": "workforce", "kind": "outcome"}).json()

    assert [result["url"] for result in body["results"]] == [
        f"http://testserver/consultations/{CONCLUDED_SLUG}/#outcome-heading"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "cancer", "kind": ""}, "kind"),
        ({"q": "cancer", "kind": "podcast"}, "kind"),
        ({"q": "cancer", "topic": "nope"}, "topic"),
        ({"q": "cancer", "from": "2025-13-45"}, "from"),
        ({"q": "cancer", "page": "0"}, "page"),
        ({"q": "cancer", "page_size": "500"}, "page_size"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(demo, api, params, field):
    response = api.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    "params", [{"q": "the"}, {"q": "!"}, {"q": "cancer", "from": "2025-02-01", "to": "2025-01-01"}]
)
def test_what_the_schema_allows_but_finds_nothing_is_an_empty_list(demo, api, params):
    response = api.get(URL, params)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_page_past_the_end_is_a_404(demo, api):
    assert api.get(URL, {"q": "clusters", "page": "30"}).status_code == 404


def test_it_is_throttled_like_the_other_public_endpoints(settings):
    throttles = [throttle for throttle in SearchViewSet().get_throttles()]

    assert {type(throttle) for throttle in throttles} == {AnonymousThrottle, UserThrottle}


def test_it_is_in_the_schema_with_its_parameters(db, api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]

    assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "kind", "topic", "from", "to"}
    assert "400" in operation["responses"]
    assert "429" in operation["responses"]
    assert "404" in operation["responses"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ResultPage")
