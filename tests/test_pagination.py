"""Lists are paged (config/pagination.py): a page after the first reads its rows' keys,
then the rows, so it costs no more the further back it is, and shows exactly what one
query would; a list may be told how many rows it has by a cheaper count."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from config.pagination import paginate
from portfolio.training.models import OtjEntry
from tests import factories


def _page(queryset, number, per_page=10):
    request = RequestFactory().get("/", {"page": number})
    request.user = AnonymousUser()
    return paginate(request, queryset, per_page)


def _log(apprenticeship):
    return (
        OtjEntry.objects.current()
        .filter(apprenticeship=apprenticeship)
        .for_log()
        .order_by("-date", "-pk")
    )


def _entries(apprenticeship, n):
    today = timezone.localdate()
    # Several on each day, so the order's ties are broken by the key.
    return [
        factories.OtjEntryFactory(apprenticeship=apprenticeship, date=today - dt.timedelta(i // 3))
        for i in range(n)
    ]


def test_every_page_shows_what_one_query_would_in_the_same_order(apprenticeship):
    _entries(apprenticeship, 25)
    expected = [e.pk for e in _log(apprenticeship)]
    shown = []
    for number in (1, 2, 3):
        page = _page(_log(apprenticeship), number)
        shown += [e.pk for e in page.object_list]
        # Rows come whole, with what the list joins.
        assert all(e.created_by.full_name for e in page.object_list)
    assert shown == expected
    # Past the end: the last page, as before.
    assert [e.pk for e in _page(_log(apprenticeship), 9).object_list] == expected[20:]


def test_a_later_page_skips_rows_by_their_keys_alone(apprenticeship):
    _entries(apprenticeship, 25)
    with CaptureQueriesContext(connection) as first:
        list(_page(_log(apprenticeship), 1).object_list)
    with CaptureQueriesContext(connection) as later:
        list(_page(_log(apprenticeship), 3).object_list)
    assert len(later) == len(first) + 1
    entries = [q["sql"] for q in later.captured_queries if "portfolio_otjentry" in q["sql"]]
    keys, rows = entries[-2:]
    # The offset is taken over the entries alone; the joins are made for the page's rows.
    assert "OFFSET" in keys and "JOIN" not in keys
    assert "OFFSET" not in rows and "JOIN" in rows and " IN (" in rows


def test_a_later_page_takes_the_same_queries_however_far_back(client, apprenticeship):
    from tests.query_counts import count_queries

    _entries(apprenticeship, 60)
    client.force_login(apprenticeship.apprentice)
    url = reverse("portfolio:otj-log", args=[apprenticeship.pk])
    assert count_queries(client, f"{url}?page=2") == count_queries(client, f"{url}?page=3")


def test_a_distinct_list_is_paged_in_one_query(apprenticeship):
    _entries(apprenticeship, 15)
    distinct = _log(apprenticeship).distinct()
    with CaptureQueriesContext(connection) as queries:
        page = _page(distinct, 2)
        rows = list(page.object_list)
    assert len(rows) == 5
    assert sum("portfolio_otjentry" in q["sql"] for q in queries.captured_queries) == 2  # count


@pytest.mark.django_db
def test_a_list_counted_from_its_plain_rows_pages_as_the_annotated_list_would():
    tutor = factories.UserFactory()
    for _ in range(3):
        factories.MembershipFactory(
            apprenticeship=factories.ApprenticeshipFactory(), user=tutor, role=Role.TUTOR
        )
    factories.ApprenticeshipFactory()  # someone else's
    listed = Apprenticeship.objects.filter(memberships__user=tutor)
    annotated = listed.annotate(first=listed.values("pk")[:1]).order_by("pk")
    # The same rows, asked for another way, so the count shows which was counted.
    plain = Apprenticeship.objects.filter(pk__in=[a.pk for a in listed])
    request = RequestFactory().get("/", {"page": "2"})
    with CaptureQueriesContext(connection) as context:
        page = paginate(request, annotated, per_page=2, count_from=plain)
        rows = list(page.object_list)
    assert (page.paginator.count, page.number, len(rows)) == (3, 2, 1)
    count_sql = context.captured_queries[0]["sql"].upper()
    assert "COUNT(" in count_sql and "MEMBERSHIP" not in count_sql
