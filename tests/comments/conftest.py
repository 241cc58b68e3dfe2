import time

import pytest
from django.core import signing

from comments.forms import TIMING_SALT
from tests.factories import AnalysisFactory, PolicyVersionFactory


@pytest.fixture
def policy_version(db):
    return PolicyVersionFactory()


@pytest.fixture
def clause(policy_version):
    return policy_version.clauses.first()


@pytest.fixture
def analysis(policy_version):
    return AnalysisFactory()


@pytest.fixture
def no_rate_limit(settings) -> None:
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0


def issued(seconds_ago: float = 60) -> str:
    """The form's timing token, as if the form had been shown this long ago."""
    return signing.Signer(salt=TIMING_SALT).sign(f"{time.time() - seconds_ago:.3f}")


@pytest.fixture
def form_data():
    """A complete, valid comment form submission; keyword arguments change fields."""

    def make(**changes) -> dict:
        data = {
            "name": "Ada Guest",
            "email": "ada@example.org",
            "text": "Research clusters need long-term funding.",
            "accept_policy": "on",
            "website": "",
            "issued": issued(),
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return make


@pytest.fixture
def post_url():
    def make(target) -> str:
        from comments.views import target_key

        return f"/comments/{target_key(target)}/{target.pk}/post/"

    return make


@pytest.fixture
def sent_back():
    """Post a comment form with errors: the browser goes back to the discussion page, which shows them.

    Returns that page, as the browser gets it after the redirect.
    """
    from django.test import Client

    def post(url: str, data: dict, client: Client | None = None, **meta):
        client = client or Client(**meta)
        response = client.post(url, data)
        assert response.status_code == 303, response.status_code
        assert response["Location"].endswith("#comment-errors"), response["Location"]
        return client.get(response["Location"])

    return post
