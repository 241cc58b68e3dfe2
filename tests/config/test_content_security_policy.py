"""Every kind of response carries a Content-Security-Policy that lets no inline code run.

The real-browser tests (tests/e2e/test_csp.py) prove the pages work under it; these prove the
header is there on each kind of response, and that no template brings inline code back.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from comments.models import Comment
from tests.factories import AnalysisFactory, CommentFactory

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Emails are read in mail clients, not under the site's policy.
WEB_TEMPLATES = sorted(path for path in TEMPLATES.rglob("*.html") if "emails" not in path.parts)


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "'unsafe-hashes'" not in policy[directive]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/analyses/", 200),
        ("/accounts/login/", 200),
        ("/notifications/subscribe/", 200),
        ("/privacy/", 200),
        ("/api/v1/analyses/", 200),
        ("/api/schema/", 200),
        ("/api/docs/", 200),
        ("/api/docs/?script=", 200),
        ("/api/redoc/", 200),
        ("/no-such-page/", 404),
        ("/api/v1/no-such-thing/", 404),
        ("/admin/login/", 200),
    ],
)
def test_it_sends_a_policy_without_unsafe_inline_on_every_kind_of_response(client, url, status):
    response = client.get(url)

    assert response.status_code == status
    assert_strict(response)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/policies/policyanalysis/",
        "/admin/comments/pendingcomment/",
        "/admin/comments/comment/{pk}/change/",
    ],
)
def test_it_sends_the_policy_on_the_admin_and_moderation_pages(client_for, superuser, url):
    comment = CommentFactory(target=AnalysisFactory(), status=Comment.Status.PENDING)

    response = client_for(superuser).get(url.format(pk=comment.pk))

    assert response.status_code == 200
    assert_strict(response)


def test_the_redoc_page_gives_its_styles_a_fresh_nonce_that_the_header_names():
    nonces = []
    for _ in range(2):
        response = Client().get("/api/redoc/")
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in directives(response)["style-src"]
        nonces.append(nonce)

    assert nonces[0] != nonces[1]


def test_pages_that_use_no_nonce_name_none_in_their_header(client):
    assert not any("nonce-" in value for value in directives(client.get("/"))["style-src"])


@pytest.mark.parametrize("template", WEB_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_web_template_carries_inline_code(template):
    text = template.read_text()

    assert not re.search(r"\sstyle\s*=", text), "an inline style attribute"
    assert not re.search(r"<style[\s>]", text), "an inline <style> element"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler"
    assert not re.search(r"javascript:", text, re.IGNORECASE), "a javascript: URL"
    for script in re.findall(r"<script\b[^>]*>", text):
        assert " src=" in script or 'type="application/json"' in script, f"an inline script: {script}"
