"""The moderation queues: which comments each shows, in what order, and cheap counts of them.

A queue is derived from status and open reports, never stored. Counts stop at a cap
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``), so no queue page or badge ever counts a
million-row table in full; every queue's count and age come in one statement.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from comments.models import (
    ApprovedComment,
    Comment,
    Flag,
    PendingComment,
    RejectedComment,
    ReportedComment,
    SpamComment,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = Comment.Status

COUNT_CAP = 1000
# The Reported queue is searched among its first this-many comments (open reports are few).
REPORTED_SEARCH_CAP = 10_000


# A whole address as typed in the search box: looked up exactly, through the author-address index.
WHOLE_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def search_matches(search_term: str) -> Q:
    """What the queues' search box finds: comments matching every word, as the admin's own search.

    A word matches part of the text, the author's name or their address; on PostgreSQL the trigram
    indexes of comments/0010 answer that. A whole address instead matches the author's address
    exactly (addresses are stored lower-case) or the text: every address shares the trigrams of its
    domain, so a trigram search for one reads most of the address index.
    """
    found = Q()
    for word in smart_split(search_term):
        if word[:1] in "\"'" and word[-1:] == word[:1] and len(word) > 1:
            word = unescape_string_literal(word)
        if WHOLE_ADDRESS.fullmatch(word):
            found &= Q(author_email=word.lower()) | Q(text__icontains=word)
        else:
            found &= Q(text__icontains=word) | Q(author_name__icontains=word) | Q(author_email__icontains=word)
    return found


def open_reports() -> QuerySet[Flag]:
    return Flag.objects.filter(resolved_at__isnull=True)


@dataclass(frozen=True)
class Queue:
    key: str
    model: type[Comment]
    label: "StrOrPromise"
    ordering: tuple[str, ...]
    # The status every comment in the queue has: a decision made from the queue expects it.
    status: str | None = None

    def queryset(self) -> QuerySet[Comment]:
        comments = self.model.objects.all()
        if self.key == "reported":
            # Starting from the few open reports keeps this cheap however many comments exist.
            reported = open_reports().values("comment_id")
            return comments.filter(pk__in=reported, status__in=[Status.APPROVED, Status.PENDING])
        return comments.filter(status=self.status) if self.status else comments


PENDING = Queue("pending", PendingComment, _("Pending"), ("created_at", "pk"), Status.PENDING)
REPORTED = Queue("reported", ReportedComment, _("Reported"), ("-created_at", "-pk"))
SPAM = Queue("spam", SpamComment, _("Spam"), ("-created_at", "-pk"), Status.SPAM)
APPROVED = Queue("approved", ApprovedComment, _("Approved"), ("-created_at", "-pk"), Status.APPROVED)
REJECTED = Queue("rejected", RejectedComment, _("Rejected"), ("-created_at", "-pk"), Status.REJECTED)
ALL = Queue("all", Comment, _("All comments"), ("-created_at", "-pk"))

QUEUES = (PENDING, REPORTED, SPAM, APPROVED, REJECTED, ALL)


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int
    # When the longest-waiting item arrived: the oldest pending comment, or the oldest open report.
    oldest_at: datetime | None = None

    @property
    def more(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown(self) -> int:
        return min(self.count, COUNT_CAP)

    @property
    def key(self) -> str:
        return self.queue.key

    @property
    def label(self) -> "StrOrPromise":
        return self.queue.label

    @property
    def url(self) -> str:
        return reverse(f"admin:comments_{self.queue.model._meta.model_name}_changelist")


def oldest_waiting(queue: Queue) -> QuerySet[Any] | None:
    """The arrival time of what has waited longest in the queue, as a one-value queryset."""
    if queue is PENDING:
        return queue.queryset().order_by(*queue.ordering).values("created_at")[:1]
    if queue is REPORTED:
        waiting = open_reports().filter(comment__status__in=[Status.APPROVED, Status.PENDING])
        return waiting.order_by("created_at").values("created_at")[:1]
    return None


def queue_counts() -> list[QueueCount]:
    """Every queue's capped count and its oldest waiting item, in one statement.

    Each count is ``SELECT COUNT(*) FROM (… LIMIT cap + 1)`` and each age a one-row lookup on an
    index, as scalar subqueries of a single SELECT: the queue tabs and the admin index show them
    on every page load, and one round trip costs what one queue's count did.
    """
    columns: list[str] = []
    params: list[Any] = []
    for queue in QUEUES:
        sql, count_params = queue.queryset().order_by().values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # Django compiled the SQL and keeps its values as parameters: nothing typed reaches the string.
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608
        params.extend(count_params)
        oldest = oldest_waiting(queue)
        if oldest is not None:
            sql, oldest_params = oldest.query.sql_with_params()
            columns.append(f"({sql})")
            params.extend(oldest_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        values = iter(cursor.fetchone())
    return [
        QueueCount(queue, next(values), as_datetime(next(values)) if oldest_waiting(queue) is not None else None)
        for queue in QUEUES
    ]


def as_datetime(value: datetime | str | None) -> datetime | None:
    """A timestamp read by raw SQL: PostgreSQL gives an aware datetime, SQLite the stored UTC text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def attach_history(comments: list[Comment]) -> None:
    """Each author's approved and rejected totals, for a whole page in one grouped query."""
    # Addresses are stored lower-cased, so an exact match can use the author index.
    emails = {comment.author_email for comment in comments}
    totals = {
        row["author_email"]: row
        for row in Comment.objects.filter(author_email__in=emails)
        .order_by()
        .values("author_email")
        .annotate(
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            rejected=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.SPAM, Status.REMOVED])),
        )
    }
    for comment in comments:
        row = totals.get(comment.author_email)
        comment.approved_count = row["approved"] if row else 0
        comment.rejected_count = row["rejected"] if row else 0
