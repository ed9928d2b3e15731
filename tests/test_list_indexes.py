"""Long lists read one page in the order an index already holds: no sort of every row."""

import pytest
from django.db import connection, transaction
from django.db.models import Count

from audit.models import AuditEvent
from portfolio.evidence.models import Evidence, WitnessTestimony
from portfolio.training.caseload import entry_totals
from portfolio.training.models import OtjEntry

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans are PostgreSQL's"
)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # On a test-sized table a sequential scan and a sort are cheapest, and which index
        # wins then depends on the table's statistics; rule them out to see whether an index
        # can serve the order at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (
            lambda: Evidence.objects.filter(apprenticeship_id=1).order_by("-updated_at", "-pk")[
                :25
            ],
            "evidence_list_order",
        ),
        (
            lambda: (
                OtjEntry.objects.current().filter(apprenticeship_id=1).order_by("-date", "-pk")[:25]
            ),
            "otj_entry_log_order",
        ),
        (
            lambda: WitnessTestimony.objects.filter(apprenticeship_id=1).order_by(
                "-witnessed_on", "-pk"
            )[:25],
            "testimony_list_order",
        ),
        (
            lambda: AuditEvent.objects.filter(apprenticeship_id=1)[:25],
            "audit_history_order",
        ),
    ],
    ids=["evidence", "off-the-job log", "testimonies", "history"],
)
def test_a_list_page_is_read_from_its_index_without_sorting(db, queryset, index):
    plan = _plan(queryset())
    assert index in plan, plan
    assert "Sort" not in plan, plan


def test_entries_waiting_for_verification_are_counted_from_an_index_alone(db):
    """The homes' "Waiting for you" lists count each apprenticeship's entries waiting for
    verification, for every row. The count needs no column beyond (apprenticeship,
    status) of current entries, so PostgreSQL reads it from that index without visiting
    any row (at 5,000 apprentices, reading the rows was most of the employer's list)."""
    waiting = (
        OtjEntry.objects.current()
        .filter(apprenticeship_id=1, status=OtjEntry.Status.PENDING)
        .order_by()
        .values("apprenticeship")
        .annotate(n=Count("*"))
    )
    plan = _plan(waiting)
    assert "Index Only Scan using otj_entry_current_totals" in plan, plan


def test_the_caseloads_off_the_job_totals_are_summed_from_an_index_alone(db):
    """The caseload sums every current entry of the page's apprenticeships (about 13,000
    at 5,000 apprentices): minutes by status and activity, and the last day of training.
    Every column it reads is in `otj_entry_current_totals`, so PostgreSQL reads no row
    (3.2–3.6 against 5.0–5.2 ms for that sum at 5,000, by EXPLAIN ANALYZE)."""
    plan = _plan(entry_totals([1, 2, 3]))
    assert "Index Only Scan using otj_entry_current_totals" in plan, plan
