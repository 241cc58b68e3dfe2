"""Claims are on the audit log like decisions: who took, renewed, took over or gave back a comment, and when."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments import decisions
from comments.decisions import Action, ModerationError, comment_moderate
from comments.models import Comment
from moderation.models import ModerationEvent
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def claim_events(comment: Comment) -> list[ModerationEvent]:
    return list(
        ModerationEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id=comment.pk,
            action__startswith="claim",
        ).order_by("pk")
    )


@pytest.fixture
def second_moderator(db):
    return UserFactory(username="second", is_staff=True, groups=["Moderators"])


def test_it_records_a_claim_with_actor_action_and_time(moderator):
    comment = CommentFactory(status=Status.PENDING)
    at = timezone.now().replace(microsecond=0)
    with time_machine.travel(at, tick=False):
        decisions.comment_claim(comment=comment, moderator=moderator)
    [event] = claim_events(comment)
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        moderator,
        "claim",
        Status.PENDING,
        Status.PENDING,
    )
    assert event.created_at == at


def test_it_records_a_renewal_by_the_same_moderator(moderator):
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    decisions.comment_claim(comment=comment, moderator=moderator)
    assert [event.action for event in claim_events(comment)] == ["claim", "claim_renew"]


def test_it_records_a_takeover_after_expiry_naming_the_previous_holder(moderator, second_moderator, settings):
    settings.COMMENTS_CLAIM_MINUTES = 10
    comment = CommentFactory(status=Status.PENDING)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        decisions.comment_claim(comment=comment, moderator=moderator)
        traveller.shift(timedelta(minutes=11))
        decisions.comment_claim(comment=comment, moderator=second_moderator)
    first, takeover = claim_events(comment)
    assert first.action == "claim"
    assert (takeover.actor, takeover.action) == (second_moderator, "claim_takeover")
    assert takeover.note.startswith("Took over from moderator, whose claim expired at")


def test_a_refused_claim_writes_nothing(moderator, second_moderator):
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    with pytest.raises(ModerationError):
        decisions.comment_claim(comment=comment, moderator=second_moderator)
    assert [(event.actor, event.action) for event in claim_events(comment)] == [(moderator, "claim")]


def test_it_records_a_release_but_not_a_release_of_nothing(moderator, second_moderator):
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    assert not decisions.comment_release(comment=comment, moderator=second_moderator)
    assert decisions.comment_release(comment=comment, moderator=moderator)
    assert not decisions.comment_release(comment=comment, moderator=moderator)
    assert [(event.actor, event.action) for event in claim_events(comment)] == [
        (moderator, "claim"),
        (moderator, "claim_release"),
    ]


def test_a_later_claim_is_never_reported_as_the_decision(moderator, second_moderator):
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=Action.APPROVE, moderator=moderator)
    decisions.comment_claim(comment=Comment.objects.get(pk=comment.pk), moderator=second_moderator)
    comment.refresh_from_db()
    decision = decisions.last_decision(comment)
    assert (decision.actor, decision.action) == (moderator, "approve")


def test_claims_show_in_the_audit_admin_and_its_csv(client_for, moderator, second_moderator):
    comment = CommentFactory(status=Status.PENDING)
    client = client_for(moderator)
    client.post(f"/admin/comments/pendingcomment/{comment.pk}/change/", {"op": "claim"})
    client.post(f"/admin/comments/pendingcomment/{comment.pk}/change/", {"op": "release"})
    client_for(second_moderator).post(
        "/admin/comments/pendingcomment/", {"action": "claim_selected", "_selected_action": [comment.pk], "index": 0}
    )
    listing = client.get("/admin/moderation/moderationevent/", {"action": "claim_release"}).content.decode()
    assert "claim_release" in listing and f"Comment #{comment.pk}" in listing
    response = client.get("/admin/moderation/moderationevent/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    claims = [row for row in rows[1:] if row[8] == str(comment.pk) and row[2].startswith("claim")]
    assert [(row[1], row[2], row[3], row[4]) for row in claims] == [
        ("moderator", "claim", "pending", "pending"),
        ("moderator", "claim_release", "pending", "pending"),
        ("second", "claim", "pending", "pending"),
    ]
