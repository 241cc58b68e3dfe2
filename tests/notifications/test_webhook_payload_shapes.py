"""Well-formed JSON of the wrong shape, posted with the right secret to the provider webhooks, is a 400.

Before, ``[1,2]``, ``"x"`` and ``null`` raised out of anymail's parser as 500s (and the provider
retried them for days), and ``{"a":1}`` was taken as an event about nothing.
"""

import json

import pytest
from anymail import urls as anymail_urls
from django.urls import URLPattern

from notifications.models import Suppression
from tests.notifications.test_provider_events import TRACKING_URL, auth, bounce, webhooks  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhooks")]

INBOUND_URL = "/anymail/postmark/inbound/"
WRONG_SHAPES = ["[1,2]", '{"a":1}', '"x"', "null", "1", "true", "[]", '[{"a":1}]', '{"RecordType":"Bounce"}']


@pytest.mark.parametrize("url", [TRACKING_URL, INBOUND_URL])
@pytest.mark.parametrize("body", [shape for shape in WRONG_SHAPES if shape != "[]"])
def test_the_postmark_webhooks_answer_a_wrong_shape_with_a_400(url, body, client):
    response = client.post(url, data=body, content_type="application/json", **auth())

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"Could not read this webhook post" in response.content
    assert not Suppression.objects.exists()


def test_a_real_bounce_still_gets_through(client):
    response = client.post(
        TRACKING_URL, data=json.dumps(bounce("reader@example.org", "m-1")), content_type="application/json", **auth()
    )

    assert response.status_code == 200
    assert Suppression.objects.get().email == "reader@example.org"


def anymail_paths() -> list[str]:
    return [f"/anymail/{pattern.pattern}" for pattern in anymail_urls.urlpatterns if isinstance(pattern, URLPattern)]


@pytest.mark.parametrize("path", anymail_paths())
def test_no_providers_webhook_answers_a_wrong_shape_with_a_server_error(path, client):
    """Every provider anymail routes, not only the one configured: each parses its own way."""
    for body in WRONG_SHAPES:
        response = client.post(path, data=body, content_type="application/json", **auth())
        assert response.status_code < 500, (path, body, response.status_code)
