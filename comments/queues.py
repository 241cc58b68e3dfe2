"""The moderation queues: which comments each shows, in what order, and cheap counts of them.

A queue is derived from status and open reports, never stored. Counts stop at a cap
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``), so no queue page or badge ever counts a
million-row table in full.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
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
from core.pagination import capped_count

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = Comment.Status

COUNT_CAP = 1000


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
    oldest_at: object = None

    @property
    def more(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown(self) -> int:
        return min(self.count, COUNT_CAP)


def queue_counts() -> list[QueueCount]:
    """One capped count per queue, and the age of the oldest pending comment."""
    counts = []
    for queue in QUEUES:
        oldest = None
        if queue is PENDING:
            oldest = queue.queryset().order_by(*queue.ordering).values_list("created_at", flat=True).first()
        counts.append(QueueCount(queue, capped_count(queue.queryset(), COUNT_CAP), oldest))
    return counts


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
