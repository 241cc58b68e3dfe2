"""After a bulk decision in a queue, the moderator reads what was done and nothing else: the comments
just decided leave the queue, and were once taken for comments another moderator had decided meanwhile.
"""

import pytest
from django.contrib.messages import get_messages

from comments.decisions import Action, comment_moderate
from comments.models import Comment
from tests.factories import CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status

# (queue, action, status of the comments selected, what the moderator is told)
DECISIONS = [
    ("pendingcomment", "approve_selected", Status.PENDING, "Approve: 3 comments."),
    ("pendingcomment", "reject_selected", Status.PENDING, "Reject: 3 comments."),
    ("pendingcomment", "spam_selected", Status.PENDING, "Mark as spam: 3 comments."),
    ("reportedcomment", "keep_selected", Status.APPROVED, "Keep published: 3 comments."),
    ("reportedcomment", "remove_selected", Status.APPROVED, "Remove: 3 comments."),
    ("spamcomment", "restore_selected", Status.SPAM, "Restore: 3 comments."),
    ("approvedcomment", "hold_selected", Status.APPROVED, "Send back to the queue: 3 comments."),
    ("rejectedcomment", "restore_selected", Status.REJECTED, "Restore: 3 comments."),
    ("comment", "approve_selected", Status.PENDING, "Approve: 3 comments."),
]


def messages_after(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("queue", "action", "status", "told"), DECISIONS)
def test_it_reports_only_the_decision_when_every_selected_comment_is_decided(
    queue, action, status, told, client_for, moderator, clause
):
    comments = CommentFactory.create_batch(3, status=status)
    if queue == "reportedcomment":
        for comment in comments:
            FlagFactory(comment=comment)
    response = client_for(moderator).post(
        f"/admin/comments/{queue}/",
        {"action": action, "_selected_action": [c.pk for c in comments], "clause": clause.pk, "index": 0},
    )

    assert response.status_code == 302
    assert messages_after(response) == [("success", told)]


def test_it_still_names_a_comment_another_moderator_decided_meanwhile(client_for, moderator, policy_version):
    mine = CommentFactory.create_batch(2, status=Status.PENDING)
    taken = CommentFactory(status=Status.PENDING, author_name="Ada")
    comment_moderate(comment=taken, action=Action.SPAM, moderator=UserFactory(username="quick", is_staff=True))

    response = client_for(moderator).post(
        "/admin/comments/pendingcomment/",
        {"action": "approve_selected", "_selected_action": [c.pk for c in [*mine, taken]], "index": 0},
    )

    told = messages_after(response)
    assert told[0] == ("success", "Approve: 2 comments.")
    assert len(told) == 2 and told[1][0] == "warning"
    assert told[1][1].startswith(f"#{taken.pk} (Ada): Already decided: quick made this comment “Spam”")
