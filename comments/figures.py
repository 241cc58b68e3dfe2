"""Monthly moderation figures the policy team can publish.

Received, published, rejected and spam count the comments submitted in the month by
their status now; rejections by clause and the time to decision count the moderators'
decisions made in the month.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from comments import pipeline
from comments.models import Comment
from moderation.models import ModerationEvent, PolicyClause

Status = Comment.Status
DECISIONS = ("approve", "reject", "spam", "remove")


@dataclass
class TargetRow:
    label: str
    url: str = ""
    received: int = 0
    published: int = 0
    rejected: int = 0
    spam: int = 0
    hours_to_decision: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours_to_decision), 1) if self.hours_to_decision else None


@dataclass
class Figures:
    month: date
    targets: list[TargetRow]
    total: TargetRow
    by_clause: list[tuple[str, int]]
    by_reason: list[tuple[str, int]]

    @property
    def previous_month(self) -> date:
        return (self.month - timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> date:
        return (self.month + timedelta(days=32)).replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month.replace(day=1), time.min))
    following = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, timezone.make_aware(datetime.combine(following, time.min))


def parse_month(value: str | None) -> date:
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def target_labels(keys: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str]]:
    """Title and address of each discussed object, one query per kind of object."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in keys:
        by_type[content_type_id].add(object_id)
    labels = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        for obj in model._default_manager.filter(pk__in=ids) if model else []:
            url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
            labels[(content_type_id, obj.pk)] = (str(obj), url)
    return labels


def monthly_figures(*, month: date) -> Figures:
    start, end = month_bounds(month)
    received = (
        Comment.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=Status.UNCONFIRMED)
        .values("content_type_id", "object_id")
        .annotate(
            received=Count("pk"),
            published=Count("pk", filter=Q(status=Status.APPROVED)),
            rejected=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.REMOVED])),
            spam=Count("pk", filter=Q(status=Status.SPAM)),
        )
    )
    rows: dict[tuple[int, int], TargetRow] = {}
    for counts in received:
        key = (counts["content_type_id"], counts["object_id"])
        rows[key] = TargetRow("", received=counts["received"], published=counts["published"])
        rows[key].rejected, rows[key].spam = counts["rejected"], counts["spam"]

    comment_of = Comment.objects.filter(pk=OuterRef("object_id"))
    decisions = ModerationEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment),
        created_at__gte=start,
        created_at__lt=end,
        actor__isnull=False,
        action__in=DECISIONS,
        from_status=Status.PENDING,
    ).annotate(
        submitted_at=Subquery(comment_of.values("created_at")),
        target_type=Subquery(comment_of.values("content_type_id")),
        target_id=Subquery(comment_of.values("object_id")),
    )
    for event in decisions.values("created_at", "submitted_at", "target_type", "target_id"):
        if event["submitted_at"] is None:
            continue
        key = (event["target_type"], event["target_id"])
        row = rows.setdefault(key, TargetRow(""))
        row.hours_to_decision.append((event["created_at"] - event["submitted_at"]).total_seconds() / 3600)

    labels = target_labels(set(rows))
    for key, row in rows.items():
        row.label, row.url = labels.get(key, (f"#{key[1]}", ""))
    total = TargetRow(
        "",
        received=sum(r.received for r in rows.values()),
        published=sum(r.published for r in rows.values()),
        rejected=sum(r.rejected for r in rows.values()),
        spam=sum(r.spam for r in rows.values()),
        hours_to_decision=[h for r in rows.values() for h in r.hours_to_decision],
    )
    return Figures(
        month=month.replace(day=1),
        targets=sorted(rows.values(), key=lambda r: (-r.received, r.label)),
        total=total,
        by_clause=clause_counts(start, end),
        by_reason=reason_counts(start, end),
    )


def clause_counts(start: datetime, end: datetime) -> list[tuple[str, int]]:
    counts = (
        ModerationEvent.objects.filter(created_at__gte=start, created_at__lt=end, clause__isnull=False)
        .filter(action__in=["reject", "remove"])
        .values("clause")
        .annotate(n=Count("pk"))
    )
    clauses = PolicyClause.objects.in_bulk([row["clause"] for row in counts])
    return sorted(((str(clauses[row["clause"]]), row["n"]) for row in counts), key=lambda item: -item[1])


def reason_counts(start: datetime, end: datetime) -> list[tuple[str, int]]:
    counter: Counter[str] = Counter()
    reasons = Comment.objects.filter(created_at__gte=start, created_at__lt=end).exclude(reasons=[])
    for row in reasons.values_list("reasons", flat=True).iterator(chunk_size=2000):
        counter.update({pipeline.reason_code(reason) for reason in row})
    return [(str(pipeline.reason_label(code)), n) for code, n in counter.most_common()]
