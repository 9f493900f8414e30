"""A paginator that never counts a whole table: "counts only for the rows shown".

Django's ``Paginator`` runs ``COUNT(*)`` over every matching row for each page: for a county's 2,000,000
residents that is the page's whole cost. :class:`CappedPaginator` counts at most ``cap`` + 1 rows
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``, an index-only scan of the rows it needs); past the cap the
list says "more than N" and its pages stop there: a search or a filter narrows it.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

LIST_COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = LIST_COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        """The number of rows, or ``cap`` when there are more (see :attr:`capped`)."""
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)

    capped = False
