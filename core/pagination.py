"""Pages of a list that stay fast on a group's millions of records.

Django's Paginator counts every matching record (`SELECT COUNT(*)`) on every page: 5.4 million calls of 50
stores take longer to count than to show. A list's pages count at most `COUNT_CAP` records — a count that
stops after the cap — and beyond it the pager says "more than 10,000" and asks for a filter (a date, a
person, a store), which is how a person finds one record among millions anyway. Deep pages within the cap
read at most COUNT_CAP rows past the index, so page 400 costs about what page 1 costs.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` (`capped` says whether there are more)."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _found(self) -> int:
        """How many match, up to cap + 1 (one more than the cap tells that there are more)."""
        if isinstance(self.object_list, list):
            return min(len(self.object_list), self.cap + 1)
        # COUNT(*) over a subquery with LIMIT cap+1: stops as soon as it knows there are more. Only the ids,
        # unordered: the count needs neither the joins, the annotations nor the order of the page.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._found, self.cap)

    @property
    def capped(self) -> bool:
        """True when more records match than are counted: the last page is not the last record."""
        return self._found > self.cap


def list_page(request, object_list, per_page: int = PAGE_SIZE, *, param: str = "page") -> Page:
    """The page the request asks for (`?page=`), with a capped count; a bad or too large number gives the
    nearest page, never an error."""
    return CappedPaginator(object_list, per_page).get_page(request.GET.get(param))
