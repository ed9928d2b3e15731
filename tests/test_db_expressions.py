"""config/db.py: the shared database expressions give one answer on both engines."""

import pytest
from django.db.models import OuterRef, QuerySet

from apprenticeship.models import Apprenticeship
from config.db import count_of
from portfolio.evidence.models import Evidence
from tests.factories import ApprenticeshipFactory, EvidenceFactory

pytestmark = pytest.mark.django_db


def _submitted() -> QuerySet[Evidence]:
    return Evidence.objects.filter(apprenticeship=OuterRef("pk"), status=Evidence.Status.SUBMITTED)


def test_count_of_counts_each_rows_matches_and_zero_for_none():
    busy, idle = ApprenticeshipFactory(), ApprenticeshipFactory()
    EvidenceFactory.create_batch(3, apprenticeship=busy, status=Evidence.Status.SUBMITTED)
    EvidenceFactory(apprenticeship=busy, status=Evidence.Status.DRAFT)
    EvidenceFactory(apprenticeship=idle, status=Evidence.Status.DRAFT)
    counts = dict(Apprenticeship.objects.annotate(n=count_of(_submitted())).values_list("pk", "n"))
    assert counts == {busy.pk: 3, idle.pk: 0}
    # It can be filtered on, like any column.
    assert list(Apprenticeship.objects.annotate(n=count_of(_submitted())).filter(n__gt=0)) == [busy]


def test_count_of_a_queryset_that_matches_nothing_is_zero():
    ApprenticeshipFactory()
    rows = Apprenticeship.objects.annotate(n=count_of(Evidence.objects.none()))
    assert [row.n for row in rows] == [0]


def test_count_of_needs_no_grouping_and_no_column_the_index_lacks():
    """One count over the matching rows: nothing to group, nothing to limit, no NULL to
    turn into 0, so it costs less to build and compile for every row of a list. And
    COUNT(*): the tutor's caseload counts each apprenticeship's submitted items (all 300
    of a big caseload, to find who has something waiting), and PostgreSQL reads that from
    the (apprenticeship, status, submitted_at) index alone; COUNT(id) made it read every
    row as well (134 ms against 24 ms for the query with 500 apprenticeships)."""
    sql = str(Apprenticeship.objects.annotate(n=count_of(_submitted())).query)
    assert "GROUP BY" not in sql
    assert "COUNT(*)" in sql
    assert '"portfolio_evidence"."id")' not in sql and 'U0."id")' not in sql
