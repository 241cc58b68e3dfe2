"""Counting and paging big tables without a full COUNT(*)."""

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

PAGE_COUNT_CAP = 1000

if TYPE_CHECKING:
    # Generic only under the stubs; at run time Django's class takes no type parameter.
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


def capped_count(queryset: QuerySet[Any], cap: int) -> int:
    """The number of rows, or cap + 1 when there are more."""
    return queryset.order_by()[: cap + 1].count()


class CappedPaginator(_Paginator):
    """Pages through a big table without a full COUNT(*): beyond the cap it offers the first pages only.

    Staff work from the front of a queue or log (oldest or newest first) or narrow it with a filter,
    so twenty pages of fifty is enough to reach, and cheap to count.
    """

    cap = PAGE_COUNT_CAP

    @cached_property
    def count(self) -> int:
        # Only ever given a queryset (the queue and audit admins and the moderation API).
        assert isinstance(self.object_list, QuerySet)
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap
