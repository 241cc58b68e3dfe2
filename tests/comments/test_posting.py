"""Posting through the form: statuses, guest confirmation, the author's own waiting comment, emails."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from comments.models import Comment, ConfirmedAddress
from comments.services import comments_expire_unconfirmed
from comments.tokens import confirmation_token
from moderation.models import ModerationEvent
from notifications.models import Delivery
from tests.factories import CommentFactory, UserFactory

Status = Comment.Status


def confirm_link(delivery: Delivery) -> str:
    return re.search(r"https?://\S+/comments/confirm/\S+/", delivery.body_text).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def guest(analysis, form_data, post_url):
    """A fresh browser that posts one guest comment and follows the redirect."""
    client = Client()
    response = client.post(post_url(analysis), form_data(), follow=True)
    assert response.status_code == 200
    return client, response, Comment.objects.get()


def test_a_guests_first_comment_waits_for_email_confirmation(guest, analysis):
    _client, response, comment = guest
    assert comment.status == Status.UNCONFIRMED
    assert comment.author_email == "ada@example.org"
    delivery = Delivery.objects.get(kind="comment_confirmation")
    assert delivery.recipient == "ada@example.org"
    assert analysis.title in delivery.subject
    assert "/comments/confirm/" in delivery.body_text
    assert not Delivery.objects.filter(kind="comment_moderator_alert").exists()
    assert "We have emailed you a link" in response.content.decode()


def test_the_author_sees_their_waiting_comment_and_nobody_else_does(guest, analysis):
    _client, response, comment = guest
    html = response.content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "awaiting your email confirmation" in html
    assert f'id="comment-{comment.pk}"' not in Client().get(analysis.get_absolute_url()).content.decode()
    assert Client().get(comment.get_absolute_url()).status_code == 404


def test_the_redirect_lands_on_the_comment(analysis, form_data, post_url):
    response = Client().post(post_url(analysis), form_data())
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{analysis.get_absolute_url()}#comment-{comment.pk}"


def test_confirming_asks_first_then_sends_the_comment_to_moderation(guest, moderator):
    client, _response, comment = guest
    link = path_of(confirm_link(Delivery.objects.get(kind="comment_confirmation")))
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my comment" in page.content.decode()
    comment.refresh_from_db()
    assert comment.status == Status.UNCONFIRMED

    landing = client.post(link, follow=True)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.confirmed_at is not None
    assert ConfirmedAddress.objects.filter(email="ada@example.org").exists()
    assert "awaiting moderation" in landing.content.decode()
    alert = Delivery.objects.get(kind="comment_moderator_alert")
    assert alert.recipient == moderator.email
    assert list(ModerationEvent.objects.values_list("action", "to_status").order_by("pk")) == [
        ("submit", Status.UNCONFIRMED),
        ("confirm", Status.PENDING),
    ]


def test_the_confirmation_link_works_in_another_browser(guest, analysis):
    _client, _response, _comment = guest
    other = Client()
    landing = other.post(path_of(confirm_link(Delivery.objects.get())), follow=True)
    assert "awaiting moderation" in landing.content.decode()


def test_confirming_twice_changes_nothing(guest):
    client, _response, _comment = guest
    link = path_of(confirm_link(Delivery.objects.get(kind="comment_confirmation")))
    client.post(link)
    client.post(link)
    assert ModerationEvent.objects.filter(action="confirm").count() == 1


def test_confirming_releases_every_waiting_comment_from_the_address(analysis, form_data, post_url, no_rate_limit):
    client = Client()
    client.post(post_url(analysis), form_data(text="First"))
    client.post(post_url(analysis), form_data(text="Second"))
    assert Comment.objects.filter(status=Status.UNCONFIRMED).count() == 2
    client.post(path_of(confirm_link(Delivery.objects.filter(kind="comment_confirmation").first())))
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_a_confirmed_address_is_not_asked_again(analysis, form_data, post_url):
    ConfirmedAddress.objects.create(email="ada@example.org")
    Client().post(post_url(analysis), form_data(email="ADA@example.org"))
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert comment.reasons == ["new_commenter"]
    assert not Delivery.objects.filter(kind="comment_confirmation").exists()


def test_a_known_confirmed_commenter_is_published_at_once(analysis, form_data, post_url, settings):
    ConfirmedAddress.objects.create(email="ada@example.org")
    CommentFactory.create_batch(
        2, target=analysis, author_email="ada@example.org", created_at=timezone.now() - timedelta(days=1)
    )
    response = Client().post(post_url(analysis), form_data(text="Third"), follow=True)
    assert Comment.objects.latest("pk").status == Status.APPROVED
    assert "your comment is published" in response.content.decode()


def test_a_signed_in_user_with_a_verified_address_skips_confirmation(analysis, form_data, post_url, client_for):
    user = UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client_for(user).post(post_url(analysis), form_data(name="Someone", email="fake@example.org"))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.author_email, comment.author_name) == (user, "grace@example.org", "Grace Hopper")
    assert comment.status == Status.PENDING
    assert not Delivery.objects.filter(kind="comment_confirmation").exists()


def test_the_form_is_prefilled_and_locked_for_a_signed_in_user(analysis, client_for):
    user = UserFactory(email="grace@example.org")
    html = client_for(user).get(analysis.get_absolute_url()).content.decode()
    assert re.search(r'<input type="email" name="email" value="grace@example.org"[^>]*disabled', html)


def test_a_signed_in_user_without_a_verified_address_confirms_it(analysis, form_data, post_url, client_for):
    user = UserFactory(email="new@example.org")
    client_for(user).post(post_url(analysis), form_data())
    assert Comment.objects.get().status == Status.UNCONFIRMED
    assert Delivery.objects.get(kind="comment_confirmation").recipient == "new@example.org"


def test_a_forged_confirmation_link_is_refused_politely(analysis):
    response = Client().get("/comments/confirm/not-a-token/")
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_a_confirmation_link_expires_after_48_hours(guest):
    _client, _response, comment = guest
    link = f"/comments/confirm/{confirmation_token(comment)}/"
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert Client().post(link).status_code == 400
    comment.refresh_from_db()
    assert comment.status == Status.UNCONFIRMED


def test_unconfirmed_comments_expire_after_48_hours(analysis):
    old = CommentFactory(target=analysis, status=Status.UNCONFIRMED, created_at=timezone.now() - timedelta(hours=49))
    young = CommentFactory(target=analysis, status=Status.UNCONFIRMED, created_at=timezone.now() - timedelta(hours=47))
    kept = CommentFactory(target=analysis, status=Status.PENDING, created_at=timezone.now() - timedelta(days=5))
    assert comments_expire_unconfirmed() == 1
    assert set(Comment.objects.values_list("pk", flat=True)) == {young.pk, kept.pk}
    assert comments_expire_unconfirmed() == 0
    assert not Comment.objects.filter(pk=old.pk).exists()


def test_a_closed_discussion_saves_nothing_and_says_so(analysis, form_data, post_url):
    analysis.comments_open = False
    analysis.save()
    response = Client().post(post_url(analysis), form_data(text="My careful words"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Comments are closed on this page." in html
    assert "My careful words" in html
    assert not Comment.objects.exists()


def test_a_closed_discussion_shows_no_form(analysis, client):
    analysis.comments_open = False
    analysis.save()
    html = client.get(analysis.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert 'name="text"' not in html


def test_the_rate_limit_refuses_with_the_text_kept(analysis, form_data, post_url, sent_back):
    client = Client()
    client.post(post_url(analysis), form_data(text="First"))
    response = sent_back(post_url(analysis), form_data(text="Second thoughts", email="other@example.org"), client)
    assert "Please wait 15 seconds" in response.content.decode()
    assert "Second thoughts" in response.content.decode()
    assert Comment.objects.count() == 1


def test_spam_is_kept_for_the_moderators_and_emails_nobody(analysis, form_data, post_url, moderator):
    Client().post(post_url(analysis), form_data(website="http://spam.example"))
    comment = Comment.objects.get()
    assert (comment.status, comment.reasons) == (Status.SPAM, ["honeypot", "new_commenter"])
    assert not Delivery.objects.exists()


def test_the_ip_address_is_stored_only_as_a_keyed_hash(analysis, form_data, post_url):
    Client(REMOTE_ADDR="198.51.100.23").post(post_url(analysis), form_data())
    comment = Comment.objects.get()
    assert len(comment.ip_hash) == 64
    assert "198.51.100.23" not in str(Comment.objects.values().get())


def test_it_records_the_policy_version_accepted(analysis, form_data, post_url, policy_version):
    Client().post(post_url(analysis), form_data())
    assert Comment.objects.get().policy_version == policy_version


def test_an_organisation_and_its_declaration_are_shown_with_the_comment(analysis, form_data, post_url, settings):
    settings.COMMENTS_MODERATION = "publish"
    ConfirmedAddress.objects.create(email="ada@example.org")
    data = form_data(on_behalf="on", organisation="Cancer Alliance", declaration_of_interest="Funded by the NHS.")
    html = Client().post(post_url(analysis), data, follow=True).content.decode()
    assert "on behalf of Cancer Alliance" in html
    assert "Funded by the NHS." in html


def test_posting_works_with_the_broker_down(
    analysis, form_data, post_url, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis stopped: the comment is saved and its email waits in the outbox for the sweeper."""
    from kombu.exceptions import OperationalError

    from config.celery import app
    from notifications.tasks import send_deliveries

    def broker_down(*args, **kwargs):
        # What Celery raises when it cannot reach Redis.
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_deliveries, "apply_async", broker_down)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(post_url(analysis), form_data())
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 302
    assert Comment.objects.get().status == Status.UNCONFIRMED
    delivery = Delivery.objects.get(kind="comment_confirmation")
    assert delivery.status == Delivery.Status.QUEUED
    assert delivery.dispatched_at is None


@pytest.mark.parametrize(("target", "object_id"), [("nothing", 1), ("analysis", 999_999)])
def test_posting_to_something_that_does_not_exist_is_not_found(analysis, form_data, target, object_id):
    assert Client().post(f"/comments/{target}/{object_id}/post/", form_data()).status_code == 404


def test_posting_on_an_unpublished_analysis_is_not_found(analysis, form_data, post_url):
    analysis.status = analysis.Status.DRAFT
    analysis.save()
    assert Client().post(post_url(analysis), form_data()).status_code == 404


def test_posting_needs_the_csrf_token(analysis, form_data, post_url):
    assert Client(enforce_csrf_checks=True).post(post_url(analysis), form_data()).status_code == 403


def test_posting_is_post_only(analysis, post_url):
    assert Client().get(post_url(analysis)).status_code == 405


def test_a_reply_must_answer_a_published_comment_on_the_same_page(analysis, form_data, post_url, sent_back):
    pending = CommentFactory(target=analysis, status=Status.PENDING)
    elsewhere = CommentFactory()
    for parent in (pending, elsewhere):
        response = sent_back(post_url(analysis), form_data(parent=parent.pk))
        assert "no longer available" in response.content.decode()
    assert Comment.objects.count() == 2


def test_a_staff_member_confirming_their_address_is_published_at_once(analysis, form_data, post_url, client_for):
    staff = UserFactory(is_staff=True, email="staff@example.org")
    client = client_for(staff)
    client.post(post_url(analysis), form_data(text="Sources: https://a.example https://b.example https://c.example"))
    comment = Comment.objects.get()
    assert (comment.status, comment.reasons) == (Status.UNCONFIRMED, ["too_many_links"])
    client.post(f"/comments/confirm/{confirmation_token(comment)}/")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
