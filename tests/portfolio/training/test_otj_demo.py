import io

import pytest
from django.core.management import call_command

from apprenticeship.models import Apprenticeship, BreakInLearning
from audit.models import AuditEvent
from portfolio.training.caseload import otj_totals
from portfolio.training.models import OtjEntry
from portfolio.training.plan import Pace
from portfolio.training.selectors import otj_summary


@pytest.mark.django_db
def test_the_demo_shows_months_of_off_the_job_training_and_one_apprentice_behind():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (OtjEntry.objects.count(), BreakInLearning.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (OtjEntry.objects.count(), BreakInLearning.objects.count()) == counts

    statuses = set(OtjEntry.objects.values_list("status", flat=True))
    assert statuses == {"pending", "verified", "rejected"}
    assert OtjEntry.objects.filter(version=2).exists()
    assert AuditEvent.objects.filter(action="otj.verified").exists()
    rows = list(Apprenticeship.objects.select_related("apprentice", "standard_version"))
    totals = otj_totals(rows)
    behind = [row.apprentice.full_name for row in rows if totals[row.pk].total.state == Pace.BEHIND]
    assert behind == ["Ruth Adeyemi"]
    morgan = Apprenticeship.objects.select_related("standard_version").get(
        apprentice__email="morgan.ellis@example.org"
    )
    summary = otj_summary(morgan)
    assert summary.total.state in (Pace.ON_TRACK, Pace.DONE)
    assert summary.prior_learning_minutes == 12 * 60
    assert summary.planned_end_with_breaks > summary.planned_end
    jamie = Apprenticeship.objects.select_related("standard_version").get(
        apprentice__email="apprentice@example.org"
    )
    assert otj_summary(jamie).total.state == Pace.NOT_KNOWN  # ST0896's minimum is not loaded
