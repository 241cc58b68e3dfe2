"""A comment the automatic checks rejected: its author is told so honestly and may ask once for a review."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from comments.models import Comment, ConfirmedAddress
from comments.review import comment_review_request, review_state
from comments.services import CommentRefused
from comments.tokens import review_token
from moderation.models import Ban, BlockedTerm, ModerationEvent
from notifications.models import Delivery
from tests.factories import UserFactory

Status = Comment.Status

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture(autouse=True)
def blocked(db):
    BlockedTerm.objects.create(term="casino", action=BlockedTerm.Action.BLOCK)


def review_path(comment: Comment) -> str:
    return f"/comments/not-published/{review_token(comment)}/"


def post_rejected(analysis, form_data, post_url, client: Client | None = None, **changes):
    client = client or Client()
    response = client.post(post_url(analysis), form_data(text="Visit my casino for research funding", **changes))
    return client, response, Comment.objects.latest("pk")


def test_the_author_lands_on_a_page_that_says_why_and_offers_a_review(analysis, form_data, post_url):
    client, response, comment = post_rejected(analysis, form_data, post_url)

    assert comment.status == Status.REJECTED
    assert response.status_code == 302
    assert response["Location"].startswith("/comments/not-published/")
    html = client.get(response["Location"]).content.decode()
    assert "Your comment was not published" in html
    assert "awaiting moderation" not in html
    assert "a word or phrase that our comment policy does not allow" in html
    assert "Visit my casino for research funding" in html
    assert "Ask for a review" in html
    assert "We will first email you a link to confirm your address." in html


def test_a_guest_with_an_unproven_address_gets_no_email_but_a_proven_one_does(analysis, form_data, post_url):
    post_rejected(analysis, form_data, post_url)
    assert not Delivery.objects.filter(kind="comment_auto_rejected").exists()

    ConfirmedAddress.objects.create(email="bo@example.org")
    _client, _response, comment = post_rejected(analysis, form_data, post_url, email="bo@example.org")
    [email] = Delivery.objects.filter(kind="comment_auto_rejected")
    assert email.recipient == "bo@example.org"
    assert "not published" in email.subject
    assert "awaiting moderation" not in email.body_text
    link = re.search(r"https?://\S+(/comments/not-published/\S+/)", email.body_text).group(1)
    assert "Ask for a review" in email.body_html
    assert Client().get(link).status_code == 200
    assert review_state(comment).may_ask


def test_asking_puts_a_proven_authors_comment_in_the_pending_queue_with_the_note_once(
    analysis, form_data, post_url, moderator
):
    ConfirmedAddress.objects.create(email="bo@example.org")
    client, _response, comment = post_rejected(analysis, form_data, post_url, email="bo@example.org")

    response = client.post(review_path(comment), {"note": "Casino is the name of my village."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.reasons[0] == "review_requested"
    assert "review_requested" in set(comment.reason_rows.values_list("code", flat=True))
    event = ModerationEvent.objects.get(action="review_request")
    assert (event.from_status, event.to_status) == ("rejected", "pending")
    assert event.note == "Casino is the name of my village."
    assert Delivery.objects.filter(kind="comment_moderator_alert", recipient=moderator.email).exists()
    html = client.get(response["Location"]).content.decode()
    assert "You asked for a review" in html and "waiting for a moderator" in html

    again = client.post(review_path(comment), {"note": "Please"})
    assert again.status_code == 400
    assert "already asked for a review" in again.content.decode()
    assert ModerationEvent.objects.filter(action="review_request").count() == 1


def test_a_guest_confirms_the_address_first_then_the_comment_goes_to_the_moderators(analysis, form_data, post_url):
    client, _response, comment = post_rejected(analysis, form_data, post_url)
    client.post(review_path(comment), {})
    comment.refresh_from_db()
    assert comment.status == Status.UNCONFIRMED
    confirmation = Delivery.objects.get(kind="comment_confirmation")
    link = re.search(r"https?://\S+(/comments/confirm/\S+/)", confirmation.body_text).group(1)

    Client().post(link)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_a_signed_in_author_editing_into_a_blocked_term_is_told_too(analysis, client_for):
    user = UserFactory(email="cy@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    from tests.factories import CommentFactory

    comment = CommentFactory(target=analysis, user=user, author_email=user.email, text="Fine words")
    response = client_for(user).post(f"/comments/{comment.pk}/edit/", {"text": "Now about the casino"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comments/not-published/")
    assert Delivery.objects.filter(kind="comment_auto_rejected", recipient="cy@example.org").exists()


def test_a_ban_is_explained_without_naming_who_banned_and_a_duplicate_is_not_offered_a_review(
    analysis, form_data, post_url
):
    Ban.objects.create(kind=Ban.Kind.DOMAIN, value="example.net", reason="Abuse")
    client = Client()
    response = client.post(post_url(analysis), form_data(email="dee@example.net"))
    html = client.get(response["Location"]).content.decode()
    assert "not accepting comments from this email address at the moment" in html
    assert "Abuse" not in html
    assert "Ask for a review" in html

    ConfirmedAddress.objects.create(email="eve@example.org")
    first = client.post(post_url(analysis), form_data(email="eve@example.org", text="Same words"))
    assert first.status_code == 302 and "/not-published/" not in first["Location"]
    second = client.post(post_url(analysis), form_data(email="eve@example.org", text="Same words"))
    html = client.get(second["Location"]).content.decode()
    assert "already posted the same comment" in html
    assert "Ask for a review" not in html


def test_a_moderators_decision_is_final_here(analysis, form_data, post_url, moderator):
    from comments.decisions import comment_moderate

    ConfirmedAddress.objects.create(email="bo@example.org")
    _client, _response, comment = post_rejected(analysis, form_data, post_url, email="bo@example.org")
    comment_moderate(comment=comment, action="approve", moderator=moderator)
    comment_moderate(comment=comment, action="spam", moderator=moderator)
    comment.refresh_from_db()
    assert not review_state(comment).may_ask
    with pytest.raises(CommentRefused):
        comment_review_request(comment=comment)


def test_an_address_may_ask_a_few_times_a_day(analysis, form_data, post_url, settings):
    settings.COMMENTS_REVIEWS_PER_DAY = 2
    ConfirmedAddress.objects.create(email="bo@example.org")
    comments = [
        post_rejected(analysis, form_data, post_url, email="bo@example.org", name=f"Bo {n}")[2] for n in range(3)
    ]
    for comment in comments[:2]:
        comment_review_request(comment=comment)
    response = Client().post(review_path(comments[2]), {})
    assert response.status_code == 400
    assert "the most we take in a day" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        comment_review_request(comment=comments[2])


def test_a_bad_or_expired_link_says_so(analysis, form_data, post_url, settings):
    _client, _response, comment = post_rejected(analysis, form_data, post_url)
    assert Client().get("/comments/not-published/nonsense/").status_code == 400
    link = review_path(comment)
    with time_machine.travel(timezone.now() + timedelta(days=settings.COMMENTS_REVIEW_DAYS + 1)):
        response = Client().get(link)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_a_note_over_the_limit_is_an_error_with_the_text_kept(analysis, form_data, post_url):
    client, _response, comment = post_rejected(analysis, form_data, post_url)
    response = client.post(review_path(comment), {"note": "n" * 1001})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_note">Your note must be 1000 characters or fewer</a>' in html
    assert "n" * 1001 in html
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_the_page_costs_a_constant_number_of_queries(analysis, form_data, post_url, django_assert_max_num_queries):
    client, response, _comment = post_rejected(analysis, form_data, post_url)
    with django_assert_max_num_queries(8):
        assert client.get(response["Location"]).status_code == 200
