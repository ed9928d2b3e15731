import datetime as dt

import pytest
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from portfolio.models import Evidence
from portfolio.services import evidence as evidence_services
from tests.portfolio.conftest import make_evidence


def make_ready(apprenticeship, tutor):
    """Everything holds but the two confirmations: long enough on programme, every duty
    signed off on accepted evidence."""
    start = timezone.localdate() - dt.timedelta(days=400)
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start, planned_end_date=start + dt.timedelta(days=460)
    )
    apprenticeship.refresh_from_db()
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
    return apprenticeship


@pytest.fixture
def ready(personas):
    return make_ready(personas["apprenticeship"], personas["tutor"])
