"""The OpenAPI schema says what the server does: the filters each operation applies, the empty
values and unknown fields it refuses, the rules across fields. Fast checks of what schemathesis
(tests/api/test_schemathesis.py) finds the slow way."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.api.schema import NO_NUL, NOT_BLANK
from core.validators import DELIVERABLE_EMAIL_PATTERN, validate_deliverable_email
from tests.api.test_privacy import (
    content,  # noqa: F401 - the fixture, with an object behind every path
    example_id,
    example_slug,
)

pytestmark = pytest.mark.django_db

PAGING = {"page", "page_size"}


@pytest.fixture
def schema(api) -> dict:
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema: dict, method: str):
    for template, methods in schema["paths"].items():
        if method in methods:
            yield template, methods[method]


def filters_of(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p["name"] not in PAGING}


def concrete(api, template: str, content) -> str:  # noqa: F811 - the fixture's value
    collection = template.split("/")[3]
    if template.startswith("/api/v1/moderation/queues/"):
        return template.replace("{key}", "pending")
    if template.startswith("/api/v1/responses/"):
        # The client's own responses: none here, and a 404 applies no filter either.
        return template.replace("{id}", "1").replace("{response_id}", "1").replace("{key}", "none")
    if "{slug}" in template:
        template = template.replace("{slug}", example_slug(api, collection, content))
    if "{id}" in template:
        template = template.replace("{id}", str(example_id(api, collection, content)))
    return template


def resolve(schema: dict, node: dict) -> dict:
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_operation_advertises_exactly_the_filters_it_applies(api_as, content, schema):  # noqa: F811
    """A filter given empty is a 400 where it applies: so `?name=` finds every applied filter, and
    those must be the advertised ones, on lists and on details and actions alike."""
    client = api_as("moderator")
    every_filter = set().union(*(filters_of(operation) for _, operation in operations(schema, "get")))
    assert every_filter >= {"topic", "author", "speaker", "webinar", "status", "when", "search"}
    checked = 0
    for template, operation in operations(schema, "get"):
        path = concrete(client, template, content)
        # An operation's required parameters (the search's words) are given, so only the empty one counts.
        required = {p["name"]: "cancer" for p in operation.get("parameters", []) if p.get("required")}
        required = {name: value for name, value in required.items() if name in every_filter}
        applied = {name for name in every_filter if client.get(path, {**required, name: ""}).status_code == 400}
        assert applied == filters_of(operation), template
        checked += 1
    assert checked == len(list(operations(schema, "get")))


def test_the_responses_of_a_consultation_do_not_take_the_consultation_list_filters(api, content, schema):  # noqa: F811
    consultation = content["slug"]["consultations"]

    responses = api.get(f"/api/v1/consultations/{consultation}/responses/", {"status": "upcoming"})

    assert responses.status_code == 200
    assert filters_of(schema["paths"]["/api/v1/consultations/{slug}/responses/"]["get"]) == set()
    assert filters_of(schema["paths"]["/api/v1/consultations/"]["get"]) == {"status", "topic"}


def test_no_filter_allows_an_empty_value_and_text_filters_allow_no_nul(schema):
    parameters = [
        parameter
        for _, operation in operations(schema, "get")
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["name"] not in PAGING
    ]
    assert parameters
    for parameter in parameters:
        assert parameter["schema"]["minLength"] == 1, parameter
    search = schema["paths"]["/api/v1/analyses/"]["get"]["parameters"]
    [search] = [parameter["schema"] for parameter in search if parameter["name"] == "search"]
    assert (search["maxLength"], search["pattern"]) == (200, NO_NUL)


def test_an_empty_filter_value_is_refused_as_the_schema_says(api):
    response = api.get("/api/v1/analyses/", {"topic": ""})

    assert response.status_code == 400
    assert "topic" in response.json()["errors"]


def test_every_request_body_refuses_unknown_fields_in_the_schema_as_the_server_does(schema):
    bodies = [
        (template, method, resolve(schema, media["schema"]))
        for template, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
        for media in operation["requestBody"]["content"].values()
    ]
    assert len(bodies) == 9
    for template, method, body in bodies:
        assert body["additionalProperties"] is False, (template, method)
        assert "names fields it does not know" not in body.get("description", "")
    answer = schema["components"]["schemas"]["AnswerInputRequest"]
    assert answer["additionalProperties"] is False


def test_the_rules_across_fields_are_in_the_schema(schema):
    components = schema["components"]["schemas"]
    comment, decision, subscription = (
        components[name] for name in ("CommentInputRequest", "DecisionInputRequest", "SubscriptionInputRequest")
    )
    assert resolve(schema, comment["properties"]["accept_policy"]["allOf"][0])["enum"] == [True]
    assert comment["properties"]["text"]["maxLength"] == 5000
    assert comment["anyOf"][1]["required"] == ["organisation", "declaration_of_interest"]
    assert "reject" not in decision["anyOf"][0]["properties"]["action"]["enum"]
    assert decision["anyOf"][1]["required"] == ["clause"]
    assert {"reject", "approve"} <= set(resolve(schema, decision["properties"]["action"])["enum"])
    assert len(subscription["anyOf"]) == 4
    assert subscription["properties"]["email"]["pattern"] == DELIVERABLE_EMAIL_PATTERN


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/subscriptions/", {"email": 12, "all_analyses": True}, "email"),
        ("/api/v1/subscriptions/", {"email": "a@example.org", "topics": [3]}, "topics"),
        ("/api/v1/subscriptions/", {"email": "a@example.org", "all_analyses": 1}, "all_analyses"),
        ("/api/v1/subscriptions/", {"email": "a@example.org", "webinars": "yes"}, "webinars"),
    ],
)
def test_a_value_of_another_json_type_than_the_schema_names_is_refused(api, path, body, field):
    response = api.post(path, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_numbers_for_a_comments_text_and_boolean_fields_are_refused(api_as, content):  # noqa: F811
    client = api_as("stakeholder")
    body = {"text": "Fine", "accept_policy": True, "issued": "x", "declaration_of_interest": 0, "on_behalf": 0}

    response = client.post(f"/api/v1/analyses/{content['slug']['analyses']}/comments/", body, format="json")

    assert response.status_code == 400
    assert {"declaration_of_interest", "on_behalf"} <= set(response.json()["errors"])


@given(st.from_regex(DELIVERABLE_EMAIL_PATTERN, fullmatch=True).filter(lambda address: len(address) <= 254))
def test_every_address_the_schema_allows_is_deliverable(address):
    validate_deliverable_email(address)


def test_the_schema_refuses_a_label_reserved_for_punycode():
    # Two characters then two dashes is reserved for Punycode; the address check refuses it unless it is a
    # valid A-label, so the schema must not promise it (hypothesis found "…@ab--c.com").
    assert not re.fullmatch(DELIVERABLE_EMAIL_PATTERN, "ana@ab--c.org")
    assert re.fullmatch(DELIVERABLE_EMAIL_PATTERN, "ana@a--c.org")


@given(st.from_regex(NOT_BLANK, fullmatch=True))
def test_text_the_schema_calls_not_blank_has_more_than_white_space_and_no_nul(text):
    assert text.strip() and "\x00" not in text
    assert re.search(NO_NUL, text)
