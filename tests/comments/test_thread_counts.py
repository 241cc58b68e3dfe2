"""Each thread's approved count is kept on its root, so a page never counts the discussion."""

import pytest
from django.test import Client

from comments import decisions, services
from comments.counts import thread_counts_backfill
from comments.models import Comment
from core.page_cache import forget_all_pages
from tests.factories import CommentFactory, UserFactory


def root_count(comment: Comment) -> int:
    return Comment.objects.get(pk=comment.root_id).thread_public_count


def test_it_counts_approved_comments_of_the_thread_on_its_root(analysis):
    root = CommentFactory(target=analysis)
    reply = CommentFactory(parent=root)
    CommentFactory(parent=reply, status="pending")
    assert root_count(root) == 2


def test_it_follows_every_decision(analysis, moderator, clause):
    root = CommentFactory(target=analysis)
    waiting = CommentFactory(parent=root, status="pending")
    decisions.comment_moderate(comment=waiting, action="approve", moderator=moderator)
    assert root_count(root) == 2
    decisions.comment_moderate(comment=waiting, action="remove", moderator=moderator, clause=clause)
    assert root_count(root) == 1
    reply = CommentFactory(parent=root)
    reply.delete()
    assert root_count(root) == 1


def test_a_withdrawn_comment_leaves_the_count(analysis):
    author = UserFactory()
    root = CommentFactory(target=analysis)
    own = CommentFactory(parent=root, user=author, author_email=author.email)
    services.comment_withdraw(comment=own, user=author)
    assert root_count(root) == 1


def test_the_backfill_recounts_every_thread(analysis):
    root = CommentFactory(target=analysis)
    CommentFactory.create_batch(3, parent=root)
    Comment.objects.update(thread_public_count=0)
    thread_counts_backfill()
    assert root_count(root) == 4


def discussion(analysis, threads: int) -> None:
    """Threads of five comments with replies three deep, as the anchor's tree has them."""
    for _ in range(threads):
        root = CommentFactory(target=analysis)
        first = CommentFactory(parent=root)
        CommentFactory(parent=CommentFactory(parent=first))
        CommentFactory(parent=root)


@pytest.mark.parametrize("threads", [2, 25])
def test_a_page_of_threads_costs_the_same_queries_however_large_the_discussion(
    analysis, settings, threads, django_assert_max_num_queries
):
    settings.COMMENTS_THREADS_PER_PAGE = 20
    discussion(analysis, threads=threads)
    forget_all_pages()
    with django_assert_max_num_queries(10):
        response = Client().get(analysis.get_absolute_url())
    shown = response.content.decode().count('<article id="comment-')
    assert shown == min(threads, 20) * 5


def test_a_signed_in_commenter_with_waiting_comments_costs_at_most_10_queries(
    analysis, client_for, django_assert_max_num_queries
):
    author = UserFactory()
    discussion(analysis, threads=5)
    CommentFactory(target=analysis, user=author, author_email=author.email, status="pending", text="Mine, waiting.")
    client = client_for(author)
    with django_assert_max_num_queries(10):
        response = client.get(analysis.get_absolute_url())
    assert "Mine, waiting." in response.content.decode()
    assert "25 comments" in response.content.decode()
