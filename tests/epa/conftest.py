import datetime as dt

import pytest
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from portfolio.models import Evidence
from portfolio.services import evidence as evidence_services
from portfolio.services import otj_log
from tests.portfolio import review_helpers
from tests.portfolio.conftest import make_evidence

# The test standard's published minimum off-the-job hours, so the required total is known.
OTJ_HOURS = 6


def make_ready(apprenticeship, tutor):
    """Everything holds but the two confirmations: long enough on programme, off-the-job
    training done and verified, every duty signed off on accepted evidence, and a recent
    review signed by everyone."""
    start = timezone.localdate() - dt.timedelta(days=400)
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start, planned_end_date=start + dt.timedelta(days=460)
    )
    apprenticeship.refresh_from_db()
    standard = apprenticeship.standard_version
    standard.otj_minimum_hours = OTJ_HOURS
    standard.save(update_fields=["otj_minimum_hours"])
    for day, duty in enumerate(standard.duties.order_by("number"), start=1):
        entry = otj_log.log_otj_entry(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            date=start + dt.timedelta(days=7 * day),
            minutes=OTJ_HOURS * 60 // 2,
            activity_type="practical",
            duty=duty,
            description="Shadowed the crisis team's evening shift.",
        )
        otj_log.verify_otj_entry(entry=entry, by=tutor, as_role=Role.TUTOR)
    for duty in apprenticeship.standard_version.duties.order_by("number"):
        evidence = make_evidence(
            apprenticeship,
            duties=[duty],
            status=Evidence.Status.ACCEPTED,
            tutor=tutor,
            title=f"Evidence for {duty.code}",
        )
        evidence_services.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duty,
            by=tutor,
            evidence_versions=[evidence.accepted_version],
            comment=f"{duty.code} is covered.",
        )
    personas = {
        "apprenticeship": apprenticeship,
        "tutor": tutor,
        "apprentice": apprenticeship.apprentice,
        "employer": apprenticeship.memberships.get(role=Role.EMPLOYER).user,
    }
    review_helpers.sign_all(personas, review_helpers.record(personas))
    return apprenticeship


@pytest.fixture
def ready(personas):
    return make_ready(personas["apprenticeship"], personas["tutor"])
