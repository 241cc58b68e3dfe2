"""An outside developer in a real browser: reads the API docs, makes a token, posts a comment with it."""

from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress

from comments.models import Comment
from policies.demo import SEED_SLUG
from tests.e2e.demo_content import demo_content_load
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_load_from_this_site_alone(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto("/api/docs/")

    page.get_by_text("Policy & Insight API").first.wait_for()
    assert page.get_by_text("/api/v1/analyses/{slug}/comments/").first.is_visible()
    assert hosts == {urlparse(live_server.url).netloc}


def test_a_developer_makes_a_token_and_posts_a_comment_that_waits_for_moderation(page, settings):
    # This script posts at once, faster than the too-fast check lets a person; a real client would
    # fetch the policy when its user starts writing.
    settings.COMMENTS_MIN_SECONDS_TO_WRITE = 0
    demo_content_load()
    developer = UserFactory(username="developer", email="developer@example.org")
    EmailAddress.objects.create(user=developer, email=developer.email, verified=True, primary=True)

    page.goto("/accounts/login/")
    page.fill("input[name=login]", "developer@example.org")
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("form button[type=submit]").last.click()
    page.goto("/account/")
    page.get_by_role("button", name="Make a token").click()
    key = page.get_by_label("Your new token").input_value()
    page.reload()
    assert page.get_by_text("You have a token starting").is_visible()

    headers = {"Authorization": f"Token {key}"}
    policy = page.request.get("/api/v1/comment-policy/", headers=headers).json()
    response = page.request.post(
        f"/api/v1/analyses/{SEED_SLUG}/comments/",
        headers=headers,
        data={"text": "Clusters need ten-year budgets.", "accept_policy": True, "issued": policy["issued"]},
    )

    assert response.status == 201, response.text()
    assert response.json()["state"] == "pending"
    comment = Comment.objects.get(text="Clusters need ten-year budgets.")
    assert (comment.status, comment.user) == (Comment.Status.PENDING, developer)
