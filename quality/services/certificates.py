"""The certificate request: after a pass or better is released, the assessment
organisation records that it asked for the certificate and on which day."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa.grading import failing_grade
from epa.models import AssessmentRound
from epa.selectors.assessment import plan_for
from quality.errors import QualityError
from quality.models import CertificateRequest


def certificate_problems(round_: AssessmentRound, failing: str) -> list[str]:
    """Why no certificate request can be recorded for this result (empty when it can)."""
    if not round_.is_released:
        return ["The result has not been released yet."]
    if round_.overall_grade == failing:
        return ["The apprentice did not pass, so there is no certificate to request."]
    return []


@transaction.atomic
def record_certificate_request(
    *, round_: AssessmentRound, by: User, requested_on: dt.date
) -> CertificateRequest:
    """Record the request once, for a released pass or better, on a day between the
    release and today."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    plan = plan_for(locked)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    problems = certificate_problems(current, failing_grade(plan))
    if problems:
        raise QualityError(" ".join(problems))
    if CertificateRequest.objects.filter(round=current).exists():
        raise QualityError("The certificate request for this result is already recorded.")
    today = timezone.localdate()
    released_on = timezone.localdate(current.released_at) if current.released_at else today
    if requested_on > today:
        raise QualityError("The date can't be in the future.")
    if requested_on < released_on:
        raise QualityError("The date can't be before the result was released.")
    request = CertificateRequest(
        round=current, apprenticeship=locked, requested_on=requested_on, recorded_by=by
    )
    request.full_clean()
    request.save()
    record_event(
        action=AuditAction.EPA_CERTIFICATE_REQUESTED,
        obj=request,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Recorded that the certificate was requested on {requested_on:%-d %B %Y}",
        after={"requested_on": requested_on.isoformat()},
    )
    return request
