"""What every endpoint shares: errors, conditional GET, throttling, the schema and its docs."""

import pytest
from rest_framework.settings import api_settings

from tests.factories import AnalysisFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/v2/analyses/", "/api/v1/analyses/bad%20slug/"])
def test_unknown_api_addresses_get_the_json_error_shape(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


def test_a_client_that_accepts_only_html_gets_406_in_the_error_shape(api):
    response = api.get("/api/v1/topics/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"


def test_a_list_has_an_etag_and_answers_304_when_unchanged(api):
    TopicFactory()
    first = api.get("/api/v1/topics/")

    again = api.get("/api/v1/topics/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    TopicFactory()
    changed = api.get("/api/v1/topics/", HTTP_IF_NONE_MATCH=first.headers["ETag"])

    assert first.headers["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200


def test_a_detail_has_last_modified_from_the_newest_part_it_embeds(api):
    analysis = AnalysisFactory()
    topic = TopicFactory()
    analysis.topics.add(topic)

    first = api.get(f"/api/v1/analyses/{analysis.slug}/")
    not_modified = api.get(f"/api/v1/analyses/{analysis.slug}/", HTTP_IF_MODIFIED_SINCE=first.headers["Last-Modified"])

    assert first.status_code == 200
    assert "Last-Modified" in first.headers
    assert not_modified.status_code == 304
    assert not_modified.headers["ETag"] == first.headers["ETag"]


def test_errors_are_never_cached_as_not_modified(api):
    response = api.get("/api/v1/topics/missing/", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 404


@pytest.fixture
def tight_throttles(settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute", "user": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.mark.usefixtures("tight_throttles")
def test_anonymous_clients_are_throttled_per_address_with_retry_after(api):
    for _ in range(2):
        assert api.get("/api/v1/topics/").status_code == 200

    response = api.get("/api/v1/topics/")
    other_address = api.get("/api/v1/topics/", REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"
    assert other_address.status_code == 200


@pytest.mark.usefixtures("tight_throttles")
def test_users_are_throttled_per_account_wherever_they_come_from(api_as, stakeholder):
    client = api_as("stakeholder")
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        assert client.get("/api/v1/topics/", REMOTE_ADDR=address).status_code == 200

    response = client.get("/api/v1/topics/", REMOTE_ADDR="192.0.2.4")

    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_the_schema_describes_every_operation_and_its_errors(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Error" in schema["components"]["schemas"]
    operations = [
        (path, method, operation) for path, methods in schema["paths"].items() for method, operation in methods.items()
    ]
    assert {"/api/v1/analyses/", "/api/v1/analyses/{slug}/", "/api/v1/quotes/{id}/"} <= set(schema["paths"])
    for path, method, operation in operations:
        assert operation.get("summary"), (path, method)
        assert "429" in operation["responses"], (path, method)
        assert all(response["description"] for response in operation["responses"].values()), (path, method)
        assert all(parameter.get("description") for parameter in operation.get("parameters", [])), (path, method)
        errors = [code for code in operation["responses"] if code.startswith("4")]
        for code in errors:
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, code)


def test_the_docs_are_served_with_local_assets_only(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    assert "//unpkg" not in page and "jsdelivr" not in page


def test_answers_vary_by_credentials_and_personal_ones_are_private(api_as):
    TopicFactory()

    anonymous = api_as("anonymous").get("/api/v1/topics/")
    signed_in = api_as("editor").get("/api/v1/topics/")

    assert {"Authorization", "Cookie"} <= {part.strip() for part in anonymous.headers["Vary"].split(",")}
    assert "private" not in anonymous.headers.get("Cache-Control", "")
    assert "private" in signed_in.headers["Cache-Control"]
