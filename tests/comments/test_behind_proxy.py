"""Behind the TLS proxy each commenter keeps an address of their own, and nobody can pick theirs.

Every request reaches the site from the proxy's address; the proxy appends the address it was
connected from to X-Forwarded-For, after whatever the client sent in that header itself.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from comments.models import Comment
from moderation.models import Ban
from tests.comments.conftest import issued

PROXY = "10.0.0.5"
ALICE = "203.0.113.10"
BOB = "203.0.113.20"
FORGED = "198.51.100.99"


def through_proxy(client_address: str, sent: str = "") -> dict[str, str]:
    """The request as the site sees it: from the proxy, the client's own header plus what the proxy appended."""
    forwarded = f"{sent}, {client_address}" if sent else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []


@pytest.fixture
def rate_limited(settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 60


def post(analysis, post_url, form_data, email: str, **meta):
    client = Client(**meta)
    response = client.post(post_url(analysis), form_data(email=email, text=f"A thought from {email}."))
    response.client = client
    return response


def shown_after(response) -> str:
    """The discussion page the refused form was sent back to."""
    return response.client.get(response["Location"]).content.decode()


@pytest.mark.usefixtures("one_proxy", "rate_limited")
def test_two_commenters_behind_one_proxy_comment_back_to_back(analysis, form_data, post_url):
    first = post(analysis, post_url, form_data, "alice@example.org", **through_proxy(ALICE))
    second = post(analysis, post_url, form_data, "bob@example.org", **through_proxy(BOB))

    assert (first.status_code, second.status_code) == (302, 302)
    assert Comment.objects.count() == 2
    assert len(set(Comment.objects.values_list("ip_hash", flat=True))) == 2


@pytest.mark.usefixtures("one_proxy", "rate_limited")
def test_two_commenters_behind_one_proxy_comment_back_to_back_through_the_api(analysis):
    url = f"/api/v1/analyses/{analysis.slug}/comments/"

    def body(email: str) -> dict:
        return {"name": "Guest", "email": email, "text": "A thought.", "accept_policy": True, "issued": issued()}

    first = APIClient().post(url, body("alice@example.org"), format="json", **through_proxy(ALICE))
    second = APIClient().post(url, body("bob@example.org"), format="json", **through_proxy(BOB))

    assert (first.status_code, second.status_code) == (201, 201)


@pytest.mark.usefixtures("one_proxy", "no_rate_limit")
def test_an_address_ban_on_one_commenter_behind_the_proxy_leaves_the_others_alone(analysis, form_data, post_url):
    post(analysis, post_url, form_data, "alice@example.org", **through_proxy(ALICE))
    Ban.objects.create(kind=Ban.Kind.IP, value=Comment.objects.get().ip_hash, reason="Spam waves.")

    post(analysis, post_url, form_data, "bob@example.org", **through_proxy(BOB))
    post(analysis, post_url, form_data, "alice2@example.org", **through_proxy(ALICE, sent=BOB))

    bob = Comment.objects.get(author_email="bob@example.org")
    alice_again = Comment.objects.get(author_email="alice2@example.org")
    assert "banned_ip" not in bob.reasons
    assert bob.status != Comment.Status.REJECTED
    assert alice_again.status == Comment.Status.REJECTED
    assert "banned_ip" in alice_again.reasons


@pytest.mark.usefixtures("rate_limited")
def test_a_forged_forwarded_for_changes_nothing_where_no_proxy_is_trusted(analysis, form_data, post_url, settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 0, []
    post(analysis, post_url, form_data, "alice@example.org", REMOTE_ADDR=ALICE)

    again = post(analysis, post_url, form_data, "alias@example.org", REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=FORGED)

    assert again.status_code == 303
    assert "Please wait 60 seconds" in shown_after(again)
    assert Comment.objects.count() == 1


@pytest.mark.usefixtures("rate_limited")
def test_a_forged_forwarded_for_changes_nothing_from_a_peer_that_is_not_the_proxy(
    analysis, form_data, post_url, settings
):
    settings.TRUSTED_PROXIES, settings.TRUSTED_PROXY_COUNT = [PROXY], 1
    post(analysis, post_url, form_data, "alice@example.org", REMOTE_ADDR=ALICE)

    again = post(analysis, post_url, form_data, "alias@example.org", REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=FORGED)

    assert again.status_code == 303
    assert Comment.objects.count() == 1


@pytest.mark.usefixtures("one_proxy", "rate_limited")
def test_a_commenter_behind_the_proxy_cannot_choose_an_address_by_prepending_entries(analysis, form_data, post_url):
    post(analysis, post_url, form_data, "alice@example.org", **through_proxy(ALICE))

    again = post(analysis, post_url, form_data, "alias@example.org", **through_proxy(ALICE, sent=f"{BOB}, {FORGED}"))

    assert again.status_code == 303
    assert "Please wait 60 seconds" in shown_after(again)
    assert Comment.objects.count() == 1
