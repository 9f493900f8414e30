"""Paging that never counts or joins a whole table: "counts only for the rows shown".

Django's ``Paginator`` runs ``COUNT(*)`` over every matching row for each page: for a county's 2,000,000
residents that is the page's whole cost. :class:`CappedPaginator` counts at most ``cap`` + 1 rows
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``, an index-only scan of the rows it needs); past the cap the
list says "more than N" and its pages stop there: a search or a filter narrows it. A list that knows its
exact size already (from counters kept by the writes, such as the door-knocking campaign's coverage
counters) passes ``count=`` and runs no count at all.

:func:`rows_then_joins` is for lists whose order no index holds (a sort over a few thousand rows): the page's
rows are sorted and cut on their own table first, and only those rows are joined to what the page shows.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = LIST_COUNT_CAP if cap is None else cap
        if count is not None:
            self.count = count  # exact, from counters: never counted here, never capped

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``cap`` when there are more (see :attr:`capped`)."""
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)

    capped = False


def rows_then_joins(queryset: QuerySet, start: int, stop: int) -> QuerySet:
    """Rows ``start:stop`` of ``queryset`` (ordered), in one query whose joins read only those rows.

    PostgreSQL joins before it sorts and cuts: ``select_related`` over a list sorted by an expression joins every
    matching row (a town's police: 800 open cases and their 800 people for the first 25). Here the rows are
    chosen by a subquery over the bare table (``id IN (SELECT id … ORDER BY … LIMIT n)``, no joins), and the
    outer query, ordered the same way, joins those rows only.
    """
    return queryset.filter(pk__in=queryset.values("pk")[start:stop])


class RowsThenJoinsPaginator(Paginator):
    """A ``Paginator`` whose pages are read with :func:`rows_then_joins`."""

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count
        return self._get_page(rows_then_joins(self.object_list, start, stop), number, self)
