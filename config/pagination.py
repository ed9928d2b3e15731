from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

PAGE_SIZE = 25


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are, by a query cheaper than counting the
    annotated list itself (which Django builds with every annotation first)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count_from: QuerySet) -> None:
        super().__init__(object_list, per_page)
        self._count_from = count_from

    @cached_property
    def count(self) -> int:
        return self._count_from.count()


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    *,
    count_from: QuerySet | None = None,
) -> Page:
    """One page of a list; a bad or too-high page number gives the last page.

    `count_from`: the same rows as `queryset` without its annotations, for a list whose
    annotations cost more to build than the count costs to run (the tutor's caseload)."""
    if count_from is None:
        return Paginator(queryset, per_page).get_page(request.GET.get("page"))
    return _CountedPaginator(queryset, per_page, count_from=count_from).get_page(
        request.GET.get("page")
    )
