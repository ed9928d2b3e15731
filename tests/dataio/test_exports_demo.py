"""The exports' figures equal the pages' figures for every apprenticeship of the demo.

Runs on PostgreSQL and on SQLite (`config.settings.test_sqlite`): one answer on both."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from dataio import funding_return, selectors
from epa.selectors import gateway as gateway_selectors
from portfolio.evidence import selectors as evidence_selectors
from portfolio.reviews import schedule as review_schedule
from portfolio.training import selectors as otj
from tests.helpers.db import kept_for_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with kept_for_scope(django_db_blocker):
        call_command("seed_demo", stdout=io.StringIO())
        yield


def test_export_figures_equal_the_pages_figures_for_every_seeded_apprenticeship(demo):
    today = timezone.localdate()
    rows = list(selectors.caseload_rows(Apprenticeship.objects.all(), today=today))
    header, body = rows[0], rows[1:]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in body}
    apprenticeships = Apprenticeship.objects.select_related(
        "apprentice", "standard_version", "provider__gateway_policy", "employer"
    )
    assert set(by_id) == set(apprenticeships.values_list("pk", flat=True))
    assert len(by_id) >= 5
    for a in apprenticeships:
        row = by_id[a.pk]
        # The apprenticeship page's own summaries.
        a.viewer_roles = frozenset({Role.TUTOR})
        total = otj.otj_summary(a, today=today).total
        assert row["otj_required_hours"] == selectors.hours(total.required), a
        assert row["otj_logged_hours"] == selectors.hours(total.logged), a
        assert row["otj_verified_hours"] == selectors.hours(total.verified), a
        assert row["otj_expected_by_today_hours"] == selectors.hours(total.expected), a
        assert row["otj_pace"] == str(total.state.label), a
        evidence = evidence_selectors.evidence_summary(a)
        assert row["duties_signed_off"] == str(evidence.duties_signed_off), a
        assert row["duties_total"] == str(evidence.duties_total), a
        schedule = review_schedule.review_schedule(a, today=today)
        assert row["next_review_due"] == (
            schedule.next_due.isoformat() if schedule.next_due else ""
        ), a
        if not a.is_post_gateway:
            gateway = gateway_selectors.summary(a, today=today)
            assert row["gateway_items_holding"] == str(gateway["done"]), a
            assert row["gateway_items_total"] == str(gateway["total"]), a
        else:
            assert row["gateway_items_holding"] == "", a
        assert row["status"] == a.get_status_display()


def test_funding_return_figures_equal_the_pages_figures_for_every_seeded_apprenticeship(demo):
    today = timezone.localdate()
    rows = list(funding_return.funding_return_rows(Apprenticeship.objects.all(), today=today))
    assert rows[0][0].startswith("# ")
    header = rows[1]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows[2:]}
    closed = 0
    for a in Apprenticeship.objects.select_related("standard_version"):
        total = otj.otj_summary(a, today=today).total
        row = by_id[a.pk]
        assert row["PHours"] == selectors.whole_hours(total.required)
        if otj.log_is_closed(a):
            closed += 1
            assert row["OTJActHours"] == selectors.whole_hours(total.verified)
        else:
            assert row["OTJActHours"] == ""
        assert row["LearnStartDate"] == a.start_date.isoformat()
    assert closed, "the demo has apprenticeships past gateway"


def test_retention_reduces_every_demo_apprenticeship_within_the_rules_constraints(demo):
    """Every area the demo fills is reduced without breaking a constraint, and no text is
    left but the placeholder (the frozen portfolio is rewritten, so it is still counted).
    Files are listed, not deleted: the test's changes are rolled back."""
    from dataio import erasure

    for a in Apprenticeship.objects.order_by("pk"):
        erasure.erase(a.pk, person_id=a.apprentice_id)
        assert set(erasure.count(a.pk)) <= {"gateway_snapshot"}, a.pk
        for texts in erasure.TEXTS:
            for name in texts.fields:
                left = set(texts.scope(a.pk).values_list(name, flat=True)) - {"", erasure.ERASED}
                assert not left, (a.pk, texts.name, name)
