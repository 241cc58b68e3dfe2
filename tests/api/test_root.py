"""/api/v1/ answers with the API's collections, so a newcomer following the README starts somewhere."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.urls import resolve

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"
COLLECTIONS = {
    "analyses",
    "topics",
    "authors",
    "reports",
    "webinars",
    "speakers",
    "quotes",
    "consultations",
    "search",
    "responses",
    "comment-policy",
    "subscriptions",
    "moderation/queues",
}


def test_it_lists_each_collection_and_the_docs(api):
    response = api.get("/api/v1/")

    assert response.status_code == 200
    links = response.json()
    assert set(links) == COLLECTIONS | {"schema", "docs", "redoc"}
    assert links["analyses"] == "http://testserver/api/v1/analyses/"
    assert links["docs"] == "http://testserver/api/docs/"


def test_every_link_it_gives_is_a_route_of_the_api(api):
    for name, url in api.get("/api/v1/").json().items():
        match = resolve(urlparse(url).path)
        assert match.namespace == "api", name
        assert match.url_name != "root" and match.func.__name__ != "not_found", name


@pytest.mark.parametrize("persona", ["anonymous", "stakeholder", "moderator"])
def test_everyone_may_read_it(api_as, persona):
    assert api_as(persona).get("/api/v1/").status_code == 200


def test_the_schema_documents_it(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/v1/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] == {"type": "string", "format": "uri"}


def test_the_readme_names_it_and_it_answers(api):
    assert "`/api/v1/`" in README.read_text()
    assert api.get("/api/v1/").headers["Content-Type"] == "application/json"
