"""Walks every public read operation in the schema and looks for what must never be published."""

import re

import pytest

from comments.models import Comment
from tests.factories import (
    AnalysisFactory,
    AppearanceFactory,
    CommentFactory,
    ConsultationFactory,
    PolicyVersionFactory,
    QuoteCitationFactory,
    ReportFactory,
    ResponseFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
SECRET_TEXT = "Only the moderators may read this"
# A consultation names the team's own address for questions: the one address that is published.
TEAM_ADDRESS = "policy-team@example.org"


@pytest.fixture
def content():
    PolicyVersionFactory()
    consultation = ConsultationFactory(contact_email=TEAM_ADDRESS)
    ResponseFactory(consultation=consultation, email="respondent@example.org", consent="named")
    CommentFactory(target=consultation, author_email="consultation-guest@example.org")
    analysis = AnalysisFactory()
    analysis.topics.add(TopicFactory())
    analysis.reports.add(ReportFactory())
    citation = QuoteCitationFactory(analysis=analysis)
    webinar = citation.quote.webinar
    AppearanceFactory(webinar=webinar, speaker=citation.quote.speaker)
    author = UserFactory(username="commenter", email="commenter@example.org")
    root = CommentFactory(target=analysis, author_email="guest@example.org", ip_hash="f" * 64)
    CommentFactory(parent=root, user=author, author_email=author.email, ip_hash="e" * 64)
    CommentFactory(target=webinar, author_email="webinar-guest@example.org", ip_hash="d" * 64)
    for status in (Comment.Status.PENDING, Comment.Status.UNCONFIRMED, Comment.Status.SPAM):
        CommentFactory(target=analysis, status=status, text=SECRET_TEXT, author_email="waiting@example.org")
    return {
        "slug": {"analyses": analysis.slug, "webinars": webinar.slug, "consultations": consultation.slug},
        "comment": root,
    }


def public_paths(api, content) -> list[str]:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = []
    for template, operations in schema["paths"].items():
        if "get" not in operations or template.startswith(("/api/v1/moderation/", "/api/v1/responses/")):
            continue
        collection = template.split("/")[3]
        if "{slug}" in template:
            template = template.replace("{slug}", example_slug(api, collection, content))
        if "{id}" in template:
            template = template.replace("{id}", str(example_id(api, collection, content)))
        if template == "/api/v1/search/":
            template += "?q=policy"  # the words to search for are required
        paths.append(template)
    return paths


def example_slug(api, collection: str, content) -> str:
    if collection in content["slug"]:
        return content["slug"][collection]
    return api.get(f"/api/v1/{collection}/").json()["results"][0]["slug"]


def example_id(api, collection: str, content) -> int:
    if collection == "comments":
        return content["comment"].pk
    return api.get(f"/api/v1/{collection}/").json()["results"][0]["id"]


@pytest.mark.parametrize("persona", ["anonymous", "stakeholder", "editor"])
def test_no_public_response_holds_an_address_a_hash_or_someone_elses_waiting_comment(api_as, content, persona):
    client = api_as(persona)
    paths = public_paths(client, content)

    assert len(paths) >= 17
    seen = []
    for path in paths:
        response = client.get(path)
        text = response.content.decode()
        # A consultation's outcome and summary of responses exist only once it is concluded.
        assert response.status_code == (404 if path.endswith(("/outcome/", "/summary/")) else 200), (path, text)
        addresses = set(EMAIL.findall(text)) - {TEAM_ADDRESS}
        assert not addresses, (path, addresses)
        assert not re.search(r"[0-9a-f]{64}", text), path
        assert SECRET_TEXT not in text, path
        assert "ip_hash" not in text and "author_email" not in text, path
        seen.append(text)
    # The walk did read the comments it checks.
    assert content["comment"].text in "".join(seen)
