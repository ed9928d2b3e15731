from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """One page of a list; a bad or too-high page number gives the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
