"""Pages of a list, and a list told how many rows it has by a cheaper count."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from apprenticeship.models import Apprenticeship, Role
from config.pagination import paginate
from tests import factories


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
