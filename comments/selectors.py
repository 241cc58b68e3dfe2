"""Reads for the comment section: a page of threads in one ordered query.

Threads are stored with a materialised path (zero-padded ids joined by "/") and the
id of their root, so one query returns whole threads, depth first, ordered by root
then path, and pagination counts roots rather than comments.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Q

from comments.models import Comment, PolicyVersion
from comments.services import can_edit

Status = Comment.Status

# The columns a page shows; the author's email, IP hash and reasons are never loaded.
PUBLIC_COLUMNS = (
    "id",
    "parent_id",
    "root_id",
    "depth",
    "path",
    "user_id",
    "author_name",
    "organisation",
    "declaration_of_interest",
    "text",
    "status",
    "created_at",
    "edited_at",
)


@dataclass
class CommentSection:
    target: models.Model
    comments: list[Comment]
    page: Page
    count: int
    newest_first: bool
    closed: bool


def target_comments(target: models.Model) -> models.QuerySet:
    content_type = ContentType.objects.get_for_model(target)
    return Comment.objects.filter(content_type=content_type, object_id=target.pk)


def visible_filter(*, own_ids: Collection[int] = (), user=None) -> Q:
    """Approved comments, and the reader's own comments still waiting (theirs alone to see)."""
    own = Q(pk__in=list(own_ids)) if own_ids else None
    if user is not None and user.is_authenticated:
        own = Q(user=user) if own is None else own | Q(user=user)
    approved = Q(status=Status.APPROVED)
    if own is None:
        return approved
    return approved | (own & Q(status__in=[Status.UNCONFIRMED, Status.PENDING]))


def comment_count(*, target: models.Model) -> int:
    """What the public sees: approved comments only."""
    return target_comments(target).filter(status=Status.APPROVED).count()


def thread_order(newest_first: bool) -> str:
    # Ids grow with time, so a root's id orders threads by age.
    return "-root_id" if newest_first else "root_id"


def comment_section(
    *,
    target: models.Model,
    own_ids: Collection[int] = (),
    user=None,
    page_number: int | str | None = 1,
    newest_first: bool | None = None,
) -> CommentSection:
    """One page of threads for a target, in two queries whatever the number of comments."""
    newest_first = settings.COMMENTS_NEWEST_FIRST if newest_first is None else newest_first
    comments = target_comments(target)
    visible = comments.filter(visible_filter(own_ids=own_ids, user=user))
    totals = visible.aggregate(
        public=Count("pk", filter=Q(status=Status.APPROVED)), threads=Count("root_id", distinct=True)
    )
    paginator = Paginator(range(totals["threads"]), settings.COMMENTS_THREADS_PER_PAGE)
    page = paginator.get_page(page_number)
    offset = page.start_index() - 1 if totals["threads"] else 0
    roots = (
        visible.order_by(thread_order(newest_first))
        .values_list("root_id", flat=True)
        .distinct()[offset : offset + paginator.per_page]
    )
    rows = (
        comments.filter(root_id__in=roots).only(*PUBLIC_COLUMNS).order_by(thread_order(newest_first), "path")
        if totals["threads"]
        else []
    )
    return CommentSection(
        target=target,
        comments=arrange(list(rows), own_ids=set(own_ids), user=user),
        page=page,
        count=totals["public"],
        newest_first=newest_first,
        closed=not getattr(target, "accepts_comments", True),
    )


def is_visible(comment: Comment, own_ids: set[int], user) -> bool:
    if comment.status == Status.APPROVED:
        return True
    if comment.status not in (Status.UNCONFIRMED, Status.PENDING):
        return False
    signed_in = user is not None and user.is_authenticated
    return comment.pk in own_ids or (signed_in and comment.user_id == user.pk)


def arrange(rows: list[Comment], *, own_ids: set[int], user) -> list[Comment]:
    """Keep what the reader may see, placeholders for hidden comments with visible replies, and nesting marks.

    ``rows`` are whole threads in path order. Each kept comment gets ``placeholder``,
    ``opens_replies`` (the next comment is its first reply) and ``closing_levels``
    (how many reply lists end after it), so the template nests lists in one flat loop.
    """
    signed_in = user is not None and user.is_authenticated
    shown_below: set[int] = set()
    kept: list[Comment] = []
    for comment in reversed(rows):
        visible = is_visible(comment, own_ids, user)
        if not visible and comment.pk not in shown_below:
            continue
        comment.placeholder = not visible
        comment.is_own = visible and comment.status != Status.APPROVED
        comment.editable = signed_in and comment.user_id == user.pk and can_edit(comment=comment, user=user)
        if comment.parent_id:
            shown_below.add(comment.parent_id)
        kept.append(comment)
    kept.reverse()
    for index, comment in enumerate(kept):
        next_depth = kept[index + 1].depth if index + 1 < len(kept) else 0
        comment.opens_replies = next_depth > comment.depth
        comment.closing_levels = range(max(comment.depth - next_depth, 0))
    return kept


def thread_page_of(*, comment: Comment, own_ids: Collection[int] = (), user=None) -> int:
    """The page of the comment section on which a comment's thread appears."""
    newest_first = settings.COMMENTS_NEWEST_FIRST
    before = Q(root_id__gt=comment.root_id) if newest_first else Q(root_id__lt=comment.root_id)
    earlier_threads = (
        Comment.objects.filter(content_type_id=comment.content_type_id, object_id=comment.object_id)
        .filter(visible_filter(own_ids=own_ids, user=user))
        .filter(before)
        .aggregate(threads=Count("root_id", distinct=True))["threads"]
    )
    return earlier_threads // settings.COMMENTS_THREADS_PER_PAGE + 1


def policy_in_force() -> PolicyVersion | None:
    return PolicyVersion.objects.current()
