from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpRequest
from django.utils.functional import cached_property

PAGE_SIZE = 25


class _Paginator(Paginator):
    """Django's paginator, with two changes for lists that grow with a portfolio or a
    provider.

    - A page after the first is read in two steps: the keys of its rows alone, in the
      list's order (an offset over the list's own table and the index that serves its
      order), then those rows with all that the list joins and annotates. In one query the
      database joins every row before the page to skip it: the 200th page of a 5,000-entry
      log joined 5,000 entries to their evidence and people, and took more than twice as
      long as the first.
    - `count_from`: how many rows there are, counted from a query cheaper than the list
      itself (which Django would count with every annotation built first)."""

    def __init__(self, object_list, per_page: int, *, count_from: QuerySet | None = None) -> None:
        super().__init__(object_list, per_page)
        self._count_from = count_from

    @cached_property
    def count(self) -> int:
        if self._count_from is not None:
            return self._count_from.count()
        return super().count

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0 or not _by_key(self.object_list):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(
            self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top]
        )
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
        # A row gone between the two reads (deleted meanwhile) is left out.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def _by_key(object_list) -> bool:
    """Whether a page of `object_list` can be read by its keys first: a queryset of model
    rows, each once (not DISTINCT, not a union)."""
    return (
        isinstance(object_list, QuerySet)
        and object_list._iterable_class is ModelIterable
        and not object_list.query.distinct
        and not object_list.query.combinator
    )


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    *,
    count_from: QuerySet | None = None,
) -> Page:
    """One page of a list; a bad or too-high page number gives the last page. A page after
    the first takes one query more than the first (its keys, then its rows), so no page
    costs more the further back it is.

    `count_from`: the same rows as `queryset` without its annotations, for a list whose
    annotations cost more to build than the count costs to run (the tutor's caseload)."""
    return _Paginator(queryset, per_page, count_from=count_from).get_page(request.GET.get("page"))
