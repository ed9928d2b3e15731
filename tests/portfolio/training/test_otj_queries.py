"""Off-the-job pages keep the same number of queries as entries grow into the thousands:
totals are database aggregates, never a loop over entries."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from portfolio.training.models import ActivityType, OtjEntry
from tests import factories
from tests.query_counts import APPRENTICESHIP_PAGE_QUERIES, CASELOAD_QUERIES, assert_flat_queries


def bulk_entries(apprenticeship, count: int):
    """`count` entries across the duties, some verified and some rejected."""
    duties = list(apprenticeship.standard_version.duties.all())
    start = apprenticeship.start_date
    rows = []
    for n in range(count):
        status = ("pending", "verified", "verified", "rejected")[n % 4]
        rows.append(
            OtjEntry(
                apprenticeship=apprenticeship,
                date=start + dt.timedelta(days=n % 170),
                minutes=5,
                activity_type=ActivityType.TEACHING,
                duty=duties[n % len(duties)],
                description=f"Entry {n}",
                status=status,
                decided_at=apprenticeship.created_at if status != "pending" else None,
                rejection_reason="Not training" if status == "rejected" else "",
                lineage=uuid.uuid4(),
                created_by=apprenticeship.apprentice,
            )
        )
    OtjEntry.objects.bulk_create(rows)


def grow(apprenticeship, personas):
    def more():
        bulk_entries(apprenticeship, 2000)
        factories.BreakInLearningFactory(
            apprenticeship=apprenticeship,
            start_date=apprenticeship.start_date + dt.timedelta(days=171),
            end_date=apprenticeship.start_date + dt.timedelta(days=175),
            created_by=personas["tutor"],
        )

    return more


@pytest.mark.parametrize(
    ("persona", "url_name", "queries"),
    [
        # A 2025 start: one query looks for the provider's interim minimum.
        ("apprentice", "portfolio:otj-summary", 9),
        ("tutor", "portfolio:otj-summary", 9),
        ("employer", "portfolio:otj-log", 6),
        ("tutor", "dashboards:apprenticeship-detail", APPRENTICESHIP_PAGE_QUERIES),
    ],
)
def test_off_the_job_pages_keep_a_flat_query_count(
    client, apprenticeship, personas, persona, url_name, queries
):
    bulk_entries(apprenticeship, 3)
    client.force_login(personas[persona])
    url = reverse(url_name, args=[apprenticeship.pk])
    assert_flat_queries(client, url, grow(apprenticeship, personas), queries)


def test_the_entry_page_keeps_a_flat_query_count(client, apprenticeship, personas):
    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship)
    client.force_login(personas["tutor"])

    def more_versions():
        bulk_entries(apprenticeship, 500)
        OtjEntry.objects.filter(pk=entry.pk).update(is_current=False)
        for version in range(2, 8):
            factories.OtjEntryFactory(
                apprenticeship=apprenticeship,
                lineage=entry.lineage,
                version=version,
                is_current=version == 7,
            )

    assert_flat_queries(client, entry.get_absolute_url(), more_versions, 6)


def test_the_downloads_keep_a_flat_query_count(client, apprenticeship, personas):
    bulk_entries(apprenticeship, 3)
    client.force_login(personas["tutor"])
    for name, expected in (("portfolio:otj-log-csv", 4), ("portfolio:otj-summary-csv", 8)):
        url = reverse(name, args=[apprenticeship.pk])
        before = count_streamed(client, url)
        bulk_entries(apprenticeship, 2500)
        assert (before, count_streamed(client, url)) == (expected, expected), name


def count_streamed(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(context.captured_queries)


def test_the_caseload_column_keeps_a_flat_query_count(client, apprenticeship, personas):
    client.force_login(personas["tutor"])

    def more():
        for _ in range(6):
            other = factories.ApprenticeshipFactory(
                provider=apprenticeship.provider,
                standard_version=apprenticeship.standard_version,
            )
            factories.MembershipFactory(apprenticeship=other, user=personas["tutor"])
            bulk_entries(other, 300)
        bulk_entries(apprenticeship, 300)

    assert_flat_queries(client, reverse("dashboards:caseload"), more, CASELOAD_QUERIES)
