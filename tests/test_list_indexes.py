"""Long lists read one page in the order an index already holds: no sort of every row."""

import re

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from audit.models import AuditEvent
from demo import scale
from portfolio.evidence.models import Evidence, WitnessTestimony
from portfolio.evidence.selectors import coverage_rows, evidence_summary
from portfolio.training.models import OtjEntry
from portfolio.training.selectors import otj_summary
from portfolio.training.services.standing import entry_totals
from quality.iqa import selectors as iqa_selectors
from quality.models import IqaItem
from tests.helpers import iqa as iqa_helpers

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans are PostgreSQL's"
)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return _explain(sql, params)


def _explain(sql: str, params=()) -> str:
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


@pytest.fixture
def settled(transactional_db):
    """A small provider whose tables are as autovacuum keeps a database in use: with
    statistics, and their rows marked visible to everyone, which is what lets PostgreSQL
    answer from an index without visiting the rows (on rows not yet marked, reading the
    index alone would cost the planner the same as reading the rows too)."""
    seeded = scale.seed(3, items=12, entries=20, big_items=30, big_entries=60, signed_reviews_for=0)
    with connection.cursor() as cursor:
        for table in ("portfolio_evidence", "portfolio_otjentry"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return Apprenticeship.objects.select_related("standard_version").get(pk=seeded.big_portfolio)


def test_entries_waiting_for_verification_are_counted_from_an_index_alone(settled):
    """The homes' "Waiting for you" lists count each apprenticeship's entries waiting for
    verification, for every row. The count needs no column beyond (apprenticeship,
    status) of current entries, so PostgreSQL reads it from that index without visiting
    any row (at 5,000 apprentices, reading the rows was most of the employer's list)."""
    waiting = (
        OtjEntry.objects.current()
        .filter(apprenticeship_id=settled.pk, status=OtjEntry.Status.PENDING)
        .order_by()
        .values("apprenticeship")
        .annotate(n=Count("*"))
    )
    plan = _plan(waiting)
    assert "Index Only Scan using otj_entry_current_totals" in plan, plan


def test_the_off_the_job_standing_is_summed_from_an_index_alone(settled):
    """Each change to a log works its standing out again from every current entry of the
    apprenticeship (5,000 for the big portfolio): minutes by status and activity, and the
    last day of training. Every column it reads is in `otj_entry_current_totals`, so
    PostgreSQL reads no row."""
    plan = _plan(entry_totals(list(Apprenticeship.objects.values_list("pk", flat=True))))
    assert "Index Only Scan using otj_entry_current_totals" in plan, plan


def _scans_of(table: str, run) -> list[str]:
    """How PostgreSQL would read `table` in each query `run` makes that reads it."""
    with CaptureQueriesContext(connection) as captured:
        run()
    scans = []
    for query in captured.captured_queries:
        if f'"{table}"' in query["sql"]:
            plan = _explain(query["sql"])
            scans += [
                line.strip().removeprefix("->").strip()
                for line in plan.splitlines()
                if re.search(rf" on {table}\b(?!_)", line)
            ]
    return scans


@pytest.mark.parametrize("viewer", [Role.TUTOR, Role.APPRENTICE, Role.EMPLOYER])
def test_the_coverage_matrix_and_evidence_counts_read_no_evidence_row(settled, viewer):
    """The coverage matrix counts one apprenticeship's items by duty, KSB and status and
    finds their accepted versions; the apprenticeship's page counts them by status. Items
    are added over months by everyone at once, so one apprenticeship's lie scattered
    through the table, and reading them took a page of the table for almost every item
    (at 5,000 apprentices, 2,000 items: 4.1-5.0 against 1.5-3.5 ms for each of the
    matrix's four queries, by EXPLAIN ANALYZE). Every column they read is in
    `evidence_by_status`, whoever is looking (an employer sees only what is shared with
    them: at 5,000, 10 ms for each count before)."""
    settled.viewer_roles = frozenset({viewer})
    scans = _scans_of(
        "portfolio_evidence", lambda: (coverage_rows(settled), evidence_summary(settled))
    )
    assert len(scans) == 5, scans
    for scan in scans:
        assert scan.startswith("Index Only Scan using evidence_by_status"), scans


def test_the_off_the_job_totals_by_duty_are_summed_from_an_index_alone(settled):
    """The apprenticeship's page and off-the-job summary sum its entries by duty (5,000 for
    the big portfolio at scale, on 4,429 pages of the table: 5.0 against 1.6 ms)."""
    scans = _scans_of("portfolio_otjentry", lambda: otj_summary(settled))
    assert scans and all(
        s.startswith("Index Only Scan using otj_entry_current_duty_totals") for s in scans
    ), scans


@pytest.mark.parametrize("relation", ["duties", "ksbs"])
def test_the_items_of_one_duty_or_ksb_are_found_by_each_items_own_links(settled, relation):
    """The duty page and the evidence list filtered from the coverage page ask which of
    one portfolio's items map to a duty or KSB. Joined to the link table, PostgreSQL read
    every link to that duty across every provider (52,000 at 5,000 apprentices) to keep
    one portfolio's; asked item by item, it looks each item's link up by the item's key,
    and reads nothing of anyone else's."""
    statement = getattr(settled.standard_version, relation).order_by("pk").first()
    queryset = Evidence.objects.filter(apprenticeship=settled).mapped_to(statement)
    lines = _plan(queryset).splitlines()
    # The link table is read only in the subquery for each item, by the item's key.
    subquery = next(n for n, line in enumerate(lines) if "SubPlan" in line)
    reads = [n for n, line in enumerate(lines) if f" on portfolio_evidence_{relation} " in line]
    assert reads and all(n > subquery for n in reads), lines
    assert "(evidence_id = portfolio_evidence.id)" in "\n".join(lines), lines


def test_a_sample_is_listed_from_its_index_without_sorting(db):
    """The plan's page lists its sample, waiting first, in the order its index holds, so a
    sample of 14,000 decisions costs a page (at 5,000 apprentices: 112-199 ms sorted)."""
    for rows in (
        IqaItem.objects.filter(plan_id=1),
        IqaItem.objects.filter(plan_id=1, verdict=""),
    ):
        plan = _plan(rows.order_by("verdict", "added_at", "pk")[:25])
        assert "iqa_item_plan_list" in plan and "Sort" not in plan, plan


@pytest.mark.parametrize(
    ("stage", "table", "index"),
    [
        ("evidence", "portfolio_evidencecomment", "evidence_comment_by_time"),
        ("sign_off", "portfolio_dutysignoff", "sign_off_by_time"),
        ("review", "portfolio_reviewsignature", "review_signature_by_time"),
        ("gateway", "epa_gatewaydeclaration", "declaration_by_time"),
    ],
)
def test_decisions_to_add_to_a_sample_are_read_newest_first_from_an_index(
    personas, stage, table, index
):
    """The IQA lead's list of decisions to add walks each stage's decisions back from the
    newest (or from where the last page ended) along their index on when they were made,
    and stops at a page: it neither counts nor sorts them all."""
    provider = personas["apprenticeship"].provider
    lead = iqa_helpers.make_lead(provider, admin=personas["admin"])
    plan = iqa_helpers.cohort_plan(provider, lead, stages=[stage])
    older = iqa_selectors.Older(timezone.now(), 10**6)
    for run in (
        lambda: iqa_selectors.addable(plan, stage, lead),
        lambda: iqa_selectors.addable(plan, stage, lead, older=older, up_to=timezone.localdate()),
    ):
        scans = _scans_of(table, run)
        assert scans and all(f"Index Scan Backward using {index}" in s for s in scans), scans
