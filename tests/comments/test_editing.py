"""Authors edit or delete their own comment within the window; an edit runs the checks again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments.models import Comment
from moderation.models import ModerationEvent
from tests.factories import CommentFactory, UserFactory

Status = Comment.Status


@pytest.fixture
def author(db):
    return UserFactory(email="author@example.org")


@pytest.fixture
def comment(analysis, author):
    return CommentFactory(target=analysis, user=author, author_email=author.email, text="Original words")


def edit_url(comment) -> str:
    return f"/comments/{comment.pk}/edit/"


def test_the_author_sees_edit_and_delete_links_on_their_comment(comment, client_for, author):
    html = client_for(author).get(comment.target.get_absolute_url()).content.decode()
    assert f'href="{edit_url(comment)}"' in html
    assert f'href="/comments/{comment.pk}/delete/"' in html


def test_others_see_no_edit_link(comment, client_for, stakeholder, client):
    for reader in (client_for(stakeholder), client):
        assert f'href="{edit_url(comment)}"' not in reader.get(comment.target.get_absolute_url()).content.decode()


def test_an_edit_changes_the_text_and_marks_it_edited(comment, client_for, author, settings):
    settings.COMMENTS_MODERATION = "publish"
    response = client_for(author).post(edit_url(comment), {"text": "Better words"}, follow=True)
    comment.refresh_from_db()
    assert (comment.text, comment.status, comment.is_edited) == ("Better words", Status.APPROVED, True)
    html = response.content.decode()
    assert "Better words" in html
    assert '<span class="badge">edited</span>' in html
    assert ModerationEvent.objects.filter(action="edit", actor=author).exists()


def test_an_edit_runs_the_checks_again(comment, client_for, author, settings):
    settings.COMMENTS_MODERATION = "publish"
    client_for(author).post(edit_url(comment), {"text": "Call me on 07700 900123"})
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.reasons == ["personal_data_phone"]


def test_an_edit_keeps_what_was_typed_on_error(comment, client_for, author):
    response = client_for(author).post(edit_url(comment), {"text": "x" * 6000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "x" * 6000 in html
    assert '<a href="#id_text">Your comment must be 5000 characters or fewer</a>' in html
    comment.refresh_from_db()
    assert comment.text == "Original words"


def test_the_window_closes_after_15_minutes(comment, client_for, author):
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        client = client_for(author)
        assert client.get(edit_url(comment)).status_code == 404
        assert client.post(edit_url(comment), {"text": "Late"}).status_code == 404
        assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    comment.refresh_from_db()
    assert comment.text == "Original words"


def test_nobody_else_may_edit(comment, client_for, stakeholder, client):
    assert client_for(stakeholder).get(edit_url(comment)).status_code == 404
    assert client.get(edit_url(comment)).status_code == 302


def test_a_moderated_comment_can_no_longer_be_edited(comment, client_for, author):
    comment.status = Status.REJECTED
    comment.save()
    assert client_for(author).get(edit_url(comment)).status_code == 404


def test_deleting_leaves_a_placeholder_for_replies(comment, client_for, author, client):
    reply = CommentFactory(parent=comment)
    author_client = client_for(author)
    assert "Delete your comment?" in author_client.get(f"/comments/{comment.pk}/delete/").content.decode()
    author_client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED
    assert ModerationEvent.objects.filter(action="withdraw", actor=author).exists()
    html = client.get(comment.target.get_absolute_url()).content.decode()
    assert "This comment was removed." in html
    assert "Original words" not in html
    assert f'id="comment-{reply.pk}"' in html


def test_a_comment_whose_page_was_deleted_has_no_permalink_but_can_still_be_deleted(comment, client_for, author):
    comment.target.delete()
    author_client = client_for(author)

    assert author_client.get(f"/comments/{comment.pk}/").status_code == 404
    response = author_client.post(f"/comments/{comment.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == "/"
    comment.refresh_from_db()
    assert comment.status == Status.REMOVED
