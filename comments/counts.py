"""What a discussion page reads instead of counting: each thread's approved comments, kept on its root.

A page of 10,000 comments would otherwise count every comment of the discussion on every view to
page its threads. The count is a copy, brought up to date in the transaction of every save and delete
of a comment (``thread_count_refresh``, from ``comments.apps``), so a page reads one row per thread.
Writes that bypass ``save()`` (bulk loads, migrations) call ``thread_counts_backfill``.

The same module names a discussion's tag in the page cache (core/page_cache.py): every save and delete
of a comment, its policy-team badge or its team response bumps it.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Func, OuterRef, Q, Subquery

from comments.models import Comment, OfficialReply, TeamResponse

Status = Comment.Status


def thread_tag(target: models.Model) -> str:
    return thread_tag_of(ContentType.objects.get_for_model(target).pk, target.pk)


def thread_tag_of(content_type_id: int, object_id: int) -> str:
    return f"comments:{content_type_id}:{object_id}"


def thread_tags_of(instance: models.Model) -> Iterable[str]:
    comment = instance.comment if isinstance(instance, (OfficialReply, TeamResponse)) else instance
    assert isinstance(comment, Comment)
    return (thread_tag_of(comment.content_type_id, comment.object_id),)


def _root_of(comment: Comment) -> int | None:
    # A new comment is saved once before its root is written (comment_insert): a reply's root is its parent's.
    if comment.root_id:
        return comment.root_id
    if comment.parent_id:
        return Comment.objects.filter(pk=comment.parent_id).values_list("root_id", flat=True).first()
    return comment.pk


def _approved_in_thread(root: Any) -> Subquery:
    # COUNT as a plain function, not an aggregate: one number for the whole filtered set, no GROUP BY.
    counted = Comment.objects.filter(Q(root_id=root) | Q(pk=root), status=Status.APPROVED).order_by()
    return Subquery(counted.annotate(approved=Func(F("pk"), function="COUNT")).values("approved")[:1])


def thread_count_refresh(*, root_id: int) -> None:
    Comment.objects.filter(pk=root_id).update(thread_public_count=_approved_in_thread(root_id))


def thread_counts_backfill(roots: models.QuerySet[Comment] | None = None) -> int:
    """Recount every thread (or these roots') in one statement."""
    roots = Comment.objects.filter(depth=0) if roots is None else roots
    return roots.update(thread_public_count=_approved_in_thread(OuterRef("pk")))


def on_comment_change(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    """Receiver for post_save and post_delete of Comment: a derived count, not a rule, so a signal keeps it."""
    if kwargs.get("raw"):
        return
    root_id = _root_of(instance)
    if root_id is not None:
        thread_count_refresh(root_id=root_id)
