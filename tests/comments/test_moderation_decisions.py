"""Every decision goes through comment_moderate: allowed transitions, refusals, audit rows, claims."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments import decisions
from comments.decisions import ALLOWED_FROM, Action, ModerationError, comment_moderate
from comments.models import Comment, CommentClaim, Flag
from moderation.models import ModerationEvent
from tests.factories import CommentFactory, FlagFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def events_for(comment: Comment):
    return ModerationEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment), object_id=comment.pk
    ).order_by("pk")


TRANSITIONS = [(action, status) for action in Action for status in Status]


@pytest.mark.parametrize(("action", "status"), TRANSITIONS, ids=[f"{a.value}-from-{s.value}" for a, s in TRANSITIONS])
def test_each_action_from_each_status_is_applied_or_refused_with_a_message(action, status, moderator, clause):
    comment = CommentFactory(status=status)
    allowed = status in ALLOWED_FROM[action]
    if allowed:
        comment_moderate(comment=comment, action=action, moderator=moderator, clause=clause, note="n")
        comment.refresh_from_db()
        assert comment.status != status or action == Action.KEEP
        event = events_for(comment).last()
        assert (event.actor, event.action, event.from_status, event.to_status) == (
            moderator,
            action.value,
            status.value,
            comment.status,
        )
    else:
        with pytest.raises(ModerationError, match="cannot be given"):
            comment_moderate(comment=comment, action=action, moderator=moderator, clause=clause)
        comment.refresh_from_db()
        assert comment.status == status
        assert not events_for(comment).exists()


def test_a_rejection_without_a_clause_is_refused(moderator):
    comment = CommentFactory(status=Status.PENDING)
    with pytest.raises(ModerationError, match="clause"):
        comment_moderate(comment=comment, action=Action.REJECT, moderator=moderator)
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_an_unknown_action_is_refused(moderator):
    with pytest.raises(ModerationError, match="not a moderation action"):
        comment_moderate(comment=CommentFactory(status=Status.PENDING), action="publish", moderator=moderator)


def test_the_audit_row_records_who_when_what_and_why(moderator, clause):
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=Action.REJECT, moderator=moderator, clause=clause, note="Please rephrase.")
    event = events_for(comment).get()
    assert event.actor == moderator
    assert (event.from_status, event.to_status) == ("pending", "rejected")
    assert event.clause == clause and event.note == "Please rephrase."
    assert timezone.now() - event.created_at < timedelta(seconds=5)


def test_restore_brings_back_a_removed_comment(moderator, clause):
    comment = CommentFactory(status=Status.APPROVED)
    comment_moderate(comment=comment, action=Action.REMOVE, moderator=moderator, clause=clause)
    comment_moderate(comment=comment, action=Action.RESTORE, moderator=moderator)
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert [e.action for e in events_for(comment)] == ["remove", "restore"]


def test_a_decision_on_a_stale_view_names_who_decided_first(moderator, clause):
    other = UserFactory(username="other-moderator", is_staff=True)
    comment = CommentFactory(status=Status.PENDING)
    comment_moderate(comment=comment, action=Action.APPROVE, moderator=other, expected_status=Status.PENDING)
    with pytest.raises(ModerationError, match="Already decided: other-moderator made this comment “Approved”"):
        comment_moderate(
            comment=comment, action=Action.REMOVE, moderator=moderator, clause=clause, expected_status=Status.PENDING
        )
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert events_for(comment).count() == 1


def test_a_decision_resolves_the_open_reports(moderator):
    comment = CommentFactory(status=Status.APPROVED)
    FlagFactory.create_batch(2, comment=comment)
    comment_moderate(comment=comment, action=Action.KEEP, moderator=moderator)
    assert not Flag.objects.filter(comment=comment, resolved_at__isnull=True).exists()
    assert set(Flag.objects.values_list("resolved_by", flat=True)) == {moderator.pk}


def test_sending_back_to_the_queue_keeps_the_reports_open(moderator):
    comment = CommentFactory(status=Status.APPROVED)
    FlagFactory(comment=comment)
    comment_moderate(comment=comment, action=Action.HOLD, moderator=moderator)
    assert Flag.objects.filter(comment=comment, resolved_at__isnull=True).count() == 1


# --- Bulk -------------------------------------------------------------------------------------


def test_bulk_decisions_on_a_mixed_selection_decide_what_they_can_and_explain_the_rest(moderator):
    pending = CommentFactory.create_batch(3, status=Status.PENDING)
    approved = CommentFactory(status=Status.APPROVED)
    spam = CommentFactory(status=Status.SPAM)
    outcome = decisions.comments_moderate_bulk(
        comments=[*pending, approved, spam],
        action=Action.APPROVE,
        moderator=moderator,
        expected_status=Status.PENDING,
    )
    assert {c.pk for c in outcome.decided} == {c.pk for c in pending}
    assert {c.pk for c, _ in outcome.refused} == {approved.pk, spam.pk}
    assert all("Already decided" in message or "now" in message for _, message in outcome.refused)
    assert Comment.objects.filter(status=Status.APPROVED).count() == 4
    assert Comment.objects.get(pk=spam.pk).status == Status.SPAM


# --- Claims -----------------------------------------------------------------------------------


def test_a_claim_tells_other_moderators_the_comment_is_taken(moderator):
    other = UserFactory(username="second", is_staff=True)
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    with pytest.raises(ModerationError, match="moderator is handling this comment"):
        decisions.comment_claim(comment=comment, moderator=other)
    with pytest.raises(ModerationError, match="moderator is handling this comment"):
        comment_moderate(comment=comment, action=Action.APPROVE, moderator=other)
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_the_claimant_decides_and_the_claim_ends(moderator):
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    comment_moderate(comment=comment, action=Action.APPROVE, moderator=moderator)
    assert not CommentClaim.objects.filter(comment=comment).exists()


def test_a_claim_expires_after_ten_minutes(moderator, settings):
    settings.COMMENTS_CLAIM_MINUTES = 10
    other = UserFactory(username="later", is_staff=True)
    comment = CommentFactory(status=Status.PENDING)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        decisions.comment_claim(comment=comment, moderator=moderator)
        traveller.shift(timedelta(minutes=9, seconds=59))
        with pytest.raises(ModerationError):
            decisions.comment_claim(comment=comment, moderator=other)
        traveller.shift(timedelta(seconds=2))
        claim = decisions.comment_claim(comment=comment, moderator=other)
    assert claim.moderator == other
    assert CommentClaim.objects.get(comment=comment).moderator == other


def test_releasing_a_claim_frees_the_comment(moderator):
    comment = CommentFactory(status=Status.PENDING)
    decisions.comment_claim(comment=comment, moderator=moderator)
    assert decisions.comment_release(comment=comment, moderator=moderator)
    assert not CommentClaim.objects.exists()
