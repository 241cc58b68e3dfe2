"""Bans from the admin: by email, domain, account or IP hash, with expiry, optionally clearing the queue."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments import decisions
from comments.decisions import ModerationError
from comments.models import Comment
from moderation.models import Ban, ModerationEvent
from notifications.models import Delivery
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.mark.parametrize(
    ("kind", "value", "banned_email"),
    [
        ("email", "troll@example.org", "TROLL@example.org"),
        ("domain", "spam.example", "anyone@spam.example"),
        ("ip", "abc123", "someone@example.org"),
    ],
)
def test_a_ban_can_reject_that_authors_pending_comments_in_one_go(kind, value, banned_email, moderator, clause):
    banned = CommentFactory(status=Status.PENDING, author_email=banned_email, ip_hash="abc123" if kind == "ip" else "")
    published = CommentFactory(status=Status.APPROVED, author_email=banned_email)
    bystander = CommentFactory(status=Status.PENDING, author_email="fine@example.org", ip_hash="other")
    outcome = decisions.ban_create(
        ban=Ban(kind=kind, value=value, reason="Repeated abuse"),
        moderator=moderator,
        reject_pending=True,
        clause=clause,
    )
    assert [c.pk for c in outcome.decided] == [banned.pk]
    assert Comment.objects.get(pk=banned.pk).status == Status.REJECTED
    assert Comment.objects.get(pk=published.pk).status == Status.APPROVED
    assert Comment.objects.get(pk=bystander.pk).status == Status.PENDING
    ban = Ban.objects.get()
    assert ban.created_by == moderator
    event = ModerationEvent.objects.get(content_type=ContentType.objects.get_for_model(Ban))
    assert (event.actor, event.action, event.note) == (moderator, "ban", "Repeated abuse")


def test_an_account_ban_matches_the_account(moderator, clause):
    user = UserFactory()
    mine = CommentFactory(status=Status.PENDING, user=user, author_email="changed@example.org")
    decisions.ban_create(
        ban=Ban(kind="account", user=user, reason="Abuse"), moderator=moderator, reject_pending=True, clause=clause
    )
    assert Comment.objects.get(pk=mine.pk).status == Status.REJECTED


def test_a_ban_without_rejecting_leaves_the_queue_alone(moderator):
    waiting = CommentFactory(status=Status.PENDING, author_email="t@example.org")
    decisions.ban_create(ban=Ban(kind="email", value="t@example.org", reason="r"), moderator=moderator)
    assert Comment.objects.get(pk=waiting.pk).status == Status.PENDING


def test_rejecting_pending_comments_needs_a_clause(moderator):
    with pytest.raises(ModerationError, match="clause"):
        decisions.ban_create(
            ban=Ban(kind="email", value="t@example.org", reason="r"), moderator=moderator, reject_pending=True
        )
    assert not Ban.objects.exists()


def test_a_ban_until_a_date_stops_applying_then(moderator):
    decisions.ban_create(
        ban=Ban(kind="email", value="temp@example.org", reason="Cool off", until=timezone.now() + timedelta(days=7)),
        moderator=moderator,
    )
    decisions.ban_create(
        ban=Ban(kind="email", value="old@example.org", reason="Past", until=timezone.now() - timedelta(days=1)),
        moderator=moderator,
    )
    decisions.ban_create(ban=Ban(kind="domain", value="@Forever.example", reason="Spam farm"), moderator=moderator)
    assert set(Ban.objects.active().values_list("value", flat=True)) == {"temp@example.org", "forever.example"}


def test_rejections_from_a_ban_tell_each_author(moderator, clause):
    CommentFactory.create_batch(2, status=Status.PENDING, author_email="told@example.org")
    decisions.ban_create(
        ban=Ban(kind="email", value="told@example.org", reason="r"),
        moderator=moderator,
        reject_pending=True,
        clause=clause,
    )
    assert Delivery.objects.filter(recipient="told@example.org", kind="comment_rejected").count() == 2
