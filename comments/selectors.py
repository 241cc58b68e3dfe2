"""Reads for the comment section: a page of threads in one ordered query.

Threads are stored with a materialised path (zero-padded ids joined by "/") and the
id of their root, so one query returns whole threads, depth first, ordered by root
then path, and pagination counts roots rather than comments. Each root carries its
thread's approved count (comments.counts), so paging reads one row per thread and
never counts the discussion.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

from comments.models import Comment, ResponseStatus
from comments.services import can_edit

Status = Comment.Status

# The columns a page shows; the author's email, IP hash and reasons are never loaded.
# The policy team's badge and response status (OfficialReply, TeamResponse), joined into the same query as
# plain values: following a missing one-to-one row would raise DoesNotExist for every comment without one.
STAFF_MARKS = {"official_at": F("official__created_at"), "team_status": F("team_response__status")}
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
    "text_html",
    "status",
    "created_at",
    "edited_at",
)
# The API also gives the raw text beside text_html, for clients that render it themselves.
API_COLUMNS = (*PUBLIC_COLUMNS, "text")


@dataclass
class CommentSection:
    target: models.Model
    comments: list[Comment]
    page: "ThreadPage"
    count: int
    newest_first: bool
    closed: bool

    @property
    def page_query(self) -> str:
        """The query string that keeps the reader on this page of comments, ready for one more parameter."""
        return f"comments_page={self.page.number}&" if self.page.number > 1 else ""


class CommentLinks:
    """Each comment's links, reversed once per page rather than once per comment."""

    PLACEHOLDER = "2147483647"

    def __init__(self) -> None:
        self.patterns = {
            name: reverse(f"comments:{name}", kwargs={"pk": int(self.PLACEHOLDER)}).split(self.PLACEHOLDER)
            for name in ("report", "edit", "delete")
        }

    def url(self, name: str, pk: int) -> str:
        before, after = self.patterns[name]
        return f"{before}{pk}{after}"


def target_comments(target: models.Model) -> models.QuerySet[Comment]:
    content_type = ContentType.objects.get_for_model(target)
    return Comment.objects.filter(content_type=content_type, object_id=target.pk)


def visible_filter(*, own_ids: Collection[int] = (), user: User | AnonymousUser | None = None) -> Q:
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


@dataclass(frozen=True)
class ThreadPage:
    """A page of whole threads: at most COMMENTS_THREADS_PER_PAGE of them, and no more comments than
    COMMENTS_PER_PAGE unless a single thread is larger on its own."""

    number: int
    num_pages: int
    roots: list[int]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


class ThreadSize(TypedDict):
    root_id: int
    shown: int
    public: int


def thread_sizes(
    comments: models.QuerySet[Comment],
    *,
    own_ids: Collection[int] = (),
    user: User | AnonymousUser | None = None,
    newest_first: bool,
) -> list[ThreadSize]:
    """Each visible thread's root, how many of its comments the reader sees, and how many are public.

    The public sizes are read from the roots; only the reader's own waiting comments are counted.
    """
    public = dict(comments.filter(depth=0, thread_public_count__gt=0).values_list("pk", "thread_public_count"))
    shown = dict(public)
    if (own := visible_filter(own_ids=own_ids, user=user)) != Q(status=Status.APPROVED):
        waiting = comments.filter(own, status__in=[Status.UNCONFIRMED, Status.PENDING])
        for root_id, count in waiting.values("root_id").annotate(count=Count("pk")).values_list("root_id", "count"):
            shown[root_id] = shown.get(root_id, 0) + count
    return [
        {"root_id": root_id, "shown": shown[root_id], "public": public.get(root_id, 0)}
        for root_id in sorted(shown, reverse=newest_first)
    ]


def page_starts(sizes: list[int]) -> list[int]:
    """Where each page begins in the list of threads, filling pages greedily."""
    starts, threads, comments = [0], 0, 0
    for index, size in enumerate(sizes):
        full = threads == settings.COMMENTS_THREADS_PER_PAGE or comments + size > settings.COMMENTS_PER_PAGE
        if threads and full:
            starts.append(index)
            threads, comments = 0, 0
        threads += 1
        comments += size
    return starts


def page_number_from(value: int | str | None, num_pages: int) -> int:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def thread_page(threads: list[ThreadSize], page_number: int | str | None) -> ThreadPage:
    starts = page_starts([thread["shown"] for thread in threads])
    number = page_number_from(page_number, len(starts))
    end = starts[number] if number < len(starts) else len(threads)
    roots = [thread["root_id"] for thread in threads[starts[number - 1] : end]]
    return ThreadPage(number=number, num_pages=len(starts), roots=roots)


def comment_section(
    *,
    target: models.Model,
    own_ids: Collection[int] = (),
    user: User | AnonymousUser | None = None,
    page_number: int | str | None = 1,
    newest_first: bool | None = None,
    columns: tuple[str, ...] = PUBLIC_COLUMNS,
) -> CommentSection:
    """One page of threads for a target, in two queries whatever the number of comments."""
    newest_first = settings.COMMENTS_NEWEST_FIRST if newest_first is None else newest_first
    comments = target_comments(target)
    threads = thread_sizes(comments, own_ids=own_ids, user=user, newest_first=newest_first)
    page = thread_page(threads, page_number)
    rows = (
        comments.filter(root_id__in=page.roots)
        .only(*columns)
        .annotate(**STAFF_MARKS)
        .order_by(thread_order(newest_first), "path")
        if page.roots
        else []
    )
    return CommentSection(
        target=target,
        comments=arrange(list(rows), own_ids=set(own_ids), user=user),
        page=page,
        count=sum(thread["public"] for thread in threads),
        newest_first=newest_first,
        closed=not getattr(target, "accepts_comments", True),
    )


def is_visible(comment: Comment, own_ids: set[int], user: User | AnonymousUser | None) -> bool:
    if comment.status == Status.APPROVED:
        return True
    if comment.status not in (Status.UNCONFIRMED, Status.PENDING):
        return False
    return comment.pk in own_ids or (user is not None and user.is_authenticated and comment.user_id == user.pk)


def arrange(rows: list[Comment], *, own_ids: set[int], user: User | AnonymousUser | None) -> list[Comment]:
    """Keep what the reader may see, placeholders for hidden comments with visible replies, and nesting marks.

    ``rows`` are whole threads in path order. Each kept comment gets ``placeholder``,
    ``opens_replies`` (the next comment is its first reply) and ``closing_levels``
    (how many reply lists end after it), so the template nests lists in one flat loop.
    """
    account = user if user is not None and user.is_authenticated else None
    links = CommentLinks()
    shown_at = ShownAt()
    team_labels = {status.value: str(status.label) for status in ResponseStatus}
    shown_below: set[int] = set()
    kept: list[Comment] = []
    for comment in reversed(rows):
        visible = is_visible(comment, own_ids, user)
        if not visible and comment.pk not in shown_below:
            continue
        comment.placeholder = not visible
        comment.is_own = visible and comment.status != Status.APPROVED
        comment.editable = (
            account is not None and comment.user_id == account.pk and can_edit(comment=comment, user=account)
        )
        comment.report_url = links.url("report", comment.pk)
        # Formatted once here: the template would format the id four times and the date through a filter.
        comment.pid = str(comment.pk)
        comment.created_iso, comment.created_text = shown_at(comment.created_at)
        comment.team_label = team_labels.get(getattr(comment, "team_status", None) or "", "")
        if comment.editable:
            comment.edit_url, comment.delete_url = links.url("edit", comment.pk), links.url("delete", comment.pk)
        if comment.parent_id:
            shown_below.add(comment.parent_id)
        kept.append(comment)
    kept.reverse()
    for index, comment in enumerate(kept):
        next_depth = kept[index + 1].depth if index + 1 < len(kept) else 0
        comment.opens_replies = next_depth > comment.depth
        comment.closing_levels = range(max(comment.depth - next_depth, 0))
    return kept


class ShownAt:
    """A comment's time as the page shows it ("5 January 2026, 09:01", local time) and in ISO 8601 as stored.

    The same words as the ``date:"j F Y, H:i"`` filter, at a fraction of its cost per comment.
    """

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.months = {number: str(name) for number, name in MONTHS.items()}

    def __call__(self, moment: datetime) -> tuple[str, str]:
        local = moment.astimezone(self.zone)
        text = f"{local.day} {self.months[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"
        return moment.isoformat(), text


def thread_page_of(*, comment: Comment, own_ids: Collection[int] = (), user: User | AnonymousUser | None = None) -> int:
    """The page of the comment section on which a comment's thread appears, paged as the section pages."""
    comments = Comment.objects.filter(content_type_id=comment.content_type_id, object_id=comment.object_id)
    threads = thread_sizes(comments, own_ids=own_ids, user=user, newest_first=settings.COMMENTS_NEWEST_FIRST)
    index = next((i for i, thread in enumerate(threads) if thread["root_id"] == comment.root_id), 0)
    return sum(1 for start in page_starts([thread["shown"] for thread in threads]) if start <= index)
