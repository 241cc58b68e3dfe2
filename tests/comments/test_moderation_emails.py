"""Decision, reply, response and moderator emails: right recipient, right text, exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import MODERATORS
from comments import decisions
from comments.decisions import Action, comment_moderate
from comments.models import Comment
from comments.tasks import alert_stale_pending, send_daily_summary
from comments.tokens import stop_replies_token
from notifications.models import Delivery
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_approving_a_pending_comment_emails_its_author_once_with_a_link(moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory(status=Status.PENDING, author_email="ada@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, action=Action.APPROVE, moderator=moderator)
    [message] = sent_to("ada@example.org")
    assert "is published" in message.subject
    assert f"/comments/{comment.pk}/" in message.body
    assert message.alternatives and "<blockquote" in message.alternatives[0][0]
    # Removed and restored: the author already heard of the approval.
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=comment, action=Action.SPAM, moderator=moderator)
        comment_moderate(comment=comment, action=Action.RESTORE, moderator=moderator)
    assert len(sent_to("ada@example.org")) == 1


def test_rejecting_a_pending_comment_emails_the_clause_and_the_note(
    moderator, clause, django_capture_on_commit_callbacks
):
    comment = CommentFactory(status=Status.PENDING, author_email="bo@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(
            comment=comment, action=Action.REJECT, moderator=moderator, clause=clause, note="Please keep it civil."
        )
    [message] = sent_to("bo@example.org")
    assert "was not published" in message.subject
    assert f"clause {clause.number} of our comment policy: {clause.title}" in message.body
    assert "Please keep it civil." in message.body
    assert "/comment-policy/" in message.body


@pytest.mark.parametrize("action", [Action.SPAM, Action.REMOVE])
def test_spam_and_removal_send_nothing(action, moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=action, moderator=moderator, clause=clause)
    assert not Delivery.objects.filter(recipient=comment.author_email).exists()


def test_approving_a_reply_tells_the_parent_author_who_opted_in_once(moderator, django_capture_on_commit_callbacks):
    parent = CommentFactory(author_email="parent@example.org", notify_replies=True)
    reply = CommentFactory(parent=parent, status=Status.PENDING, author_email="replier@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comment=reply, action=Action.APPROVE, moderator=moderator)
        comment_moderate(
            comment=reply, action=Action.REMOVE, moderator=moderator, clause=parent.policy_version.clauses.first()
        )
        comment_moderate(comment=reply, action=Action.RESTORE, moderator=moderator)
    [message] = sent_to("parent@example.org")
    assert "Stop emails about replies in this thread" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/comments/replies/stop/" in message.extra_headers["List-Unsubscribe"]


def test_no_reply_email_for_a_reply_to_oneself_or_without_opt_in(moderator):
    own = CommentFactory(author_email="self@example.org", notify_replies=True)
    own_reply = CommentFactory(parent=own, status=Status.PENDING, author_email="self@example.org")
    quiet = CommentFactory(author_email="quiet@example.org", notify_replies=False)
    reply = CommentFactory(parent=quiet, status=Status.PENDING)
    comment_moderate(comment=own_reply, action=Action.APPROVE, moderator=moderator)
    comment_moderate(comment=reply, action=Action.APPROVE, moderator=moderator)
    assert not Delivery.objects.filter(kind="comment_reply").exists()


def test_no_reply_email_when_the_parent_is_not_public(moderator, clause):
    parent = CommentFactory(author_email="gone@example.org", notify_replies=True)
    reply = CommentFactory(parent=parent, status=Status.PENDING)
    comment_moderate(comment=parent, action=Action.REMOVE, moderator=moderator, clause=clause)
    comment_moderate(comment=reply, action=Action.APPROVE, moderator=moderator)
    assert not Delivery.objects.filter(kind="comment_reply").exists()


def test_the_stop_link_turns_off_reply_emails_for_that_thread_only(client):
    parent = CommentFactory(author_email="p@example.org", notify_replies=True)
    reply_in_thread = CommentFactory(parent=parent, author_email="p@example.org", notify_replies=True)
    elsewhere = CommentFactory(author_email="p@example.org", notify_replies=True)
    response = client.post(f"/comments/replies/stop/{stop_replies_token(parent)}/")
    assert response.status_code == 200
    assert "No more reply emails" in response.content.decode()
    assert not Comment.objects.get(pk=parent.pk).notify_replies
    assert not Comment.objects.get(pk=reply_in_thread.pk).notify_replies
    assert Comment.objects.get(pk=elsewhere.pk).notify_replies


def test_a_forged_stop_link_changes_nothing(client):
    parent = CommentFactory(notify_replies=True)
    response = client.get(f"/comments/replies/stop/{stop_replies_token(parent)}x/")
    assert response.status_code == 400
    assert Comment.objects.get(pk=parent.pk).notify_replies


def test_a_response_status_tells_the_author_once_per_status(moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory(author_email="heard@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.comment_response_set(comment=comment, status="considering", moderator=moderator)
        decisions.comment_response_set(comment=comment, status="considering", moderator=moderator)
    [message] = sent_to("heard@example.org")
    assert "Under consideration" in message.subject
    with django_capture_on_commit_callbacks(execute=True):
        decisions.comment_response_set(comment=comment, status="reflected", moderator=moderator)
    assert len(sent_to("heard@example.org")) == 2


def test_an_official_reply_is_published_with_its_marker_and_notifies_the_parent(moderator):
    parent = CommentFactory(author_email="asker@example.org", notify_replies=True)
    reply = decisions.comment_official_reply(parent=parent, staff=moderator, text="Thank you, we will look at this.")
    assert reply.status == Status.APPROVED and reply.parent == parent and reply.official.written_by == moderator
    assert reply.path.startswith(parent.path) and reply.root_id == parent.root_id
    assert Delivery.objects.filter(recipient="asker@example.org", kind="comment_reply").count() == 1


def test_the_daily_summary_goes_to_each_moderator_once_a_day(moderator):
    UserFactory(username="second-mod", email="second@example.org", is_staff=True, groups=[MODERATORS])
    CommentFactory.create_batch(3, status=Status.PENDING)
    assert send_daily_summary() == 2
    send_daily_summary()
    summaries = Delivery.objects.filter(kind="moderation_summary")
    assert sorted(summaries.values_list("recipient", flat=True)) == ["moderator@example.org", "second@example.org"]
    assert "3 comments wait for moderation" in summaries.first().subject


def test_no_summary_when_nothing_waits(moderator):
    assert send_daily_summary() == 0
    assert not Delivery.objects.exists()


def test_the_stale_alert_fires_once_per_comment_past_the_configured_age(moderator, settings):
    settings.COMMENTS_STALE_PENDING_HOURS = 24
    fresh = CommentFactory(status=Status.PENDING)
    assert alert_stale_pending() == 0
    Comment.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert alert_stale_pending() == 1
    alert_stale_pending()
    assert Delivery.objects.filter(kind="moderation_stale").count() == 1
