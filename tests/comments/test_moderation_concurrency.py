"""Two moderators deciding one comment at the same moment, on real PostgreSQL row locks."""

import threading

import pytest
from django.db import close_old_connections, connection

from comments.decisions import Action, ModerationError, comment_moderate
from comments.models import Comment
from moderation.models import ModerationEvent
from tests.factories import CommentFactory, PolicyVersionFactory, UserFactory
from tests.services import require_postgresql

Status = Comment.Status


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_one_wins_the_other_is_told_by_whom():
    require_postgresql()
    clause = PolicyVersionFactory().clauses.first()
    first = UserFactory(username="ana", is_staff=True)
    second = UserFactory(username="ben", is_staff=True)
    comment = CommentFactory(status=Status.PENDING)
    # Both threads pass the barrier together, so both send their UPDATE while the other's lock is live.
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def decide(moderator, action) -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            comment_moderate(
                comment=Comment(pk=comment.pk),
                action=action,
                moderator=moderator,
                clause=clause,
                expected_status=Status.PENDING,
            )
            results[moderator.username] = "won"
        except ModerationError as error:
            results[moderator.username] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, Action.APPROVE)),
        threading.Thread(target=decide, args=(second, Action.REJECT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in results.items() if outcome == "won"]
    assert len(winners) == 1, results
    loser = "ben" if winners == ["ana"] else "ana"
    assert results[loser].startswith(f"Already decided: {winners[0]} made this comment")
    assert ModerationEvent.objects.filter(object_id=comment.pk, actor__isnull=False).count() == 1
    final = Comment.objects.get(pk=comment.pk).status
    assert final == (Status.APPROVED if winners == ["ana"] else Status.REJECTED)
