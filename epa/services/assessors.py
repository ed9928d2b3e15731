"""Assigning the independent assessor and taking them off, after gateway. The
independence check (epa/selectors/assessment.py) runs on assignment and again every time
anything is recorded. Each change is in the append-only history."""

from django.db import transaction

from accounts.models import User
from apprenticeship import services as apprenticeship_services
from apprenticeship.models import Apprenticeship, Membership, OrganisationMembership, Role
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa.errors import EpaError
from epa.selectors.assessment import independence_problems, is_assigned
from outbox import services as outbox


def _require_epao_admin(apprenticeship: Apprenticeship, user: User) -> None:
    """Assessors are assigned and taken off by an admin of the apprenticeship's assessment
    organisation, never by the training provider. Checked now, not only on the page."""
    if (
        apprenticeship.epao_id is None
        or not OrganisationMembership.objects.filter(
            user=user, organisation_id=apprenticeship.epao_id, is_admin=True, is_active=True
        ).exists()
    ):
        raise EpaError(
            "Assessors are assigned by an admin of the apprentice's end-point assessment "
            "organisation."
        )


@transaction.atomic
def assign_assessor(*, apprenticeship: Apprenticeship, assessor: User, by: User) -> Membership:
    """Make `assessor` this apprentice's independent assessor, after gateway, if the
    independence check finds nothing."""
    locked = lock_apprenticeship(apprenticeship)
    _require_epao_admin(locked, by)
    if not locked.is_post_gateway:
        raise EpaError("An assessor can be assigned once the apprentice has passed gateway.")
    if locked.status == Apprenticeship.Status.COMPLETED:
        raise EpaError("The end-point assessment is complete; there is nothing left to assess.")
    problems = independence_problems(locked, assessor)
    if problems:
        raise EpaError(
            f"{assessor.full_name} can't be this apprentice's assessor. " + " ".join(problems)
        )
    if is_assigned(locked, assessor):
        raise EpaError(f"{assessor.full_name} is already this apprentice's assessor.")
    membership = Membership(apprenticeship=locked, user=assessor, role=Role.ASSESSOR)
    membership.full_clean()
    membership.save()
    record_event(
        action=AuditAction.EPA_ASSESSOR_ASSIGNED,
        obj=membership,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"{assessor.full_name} is now the independent assessor",
        after={"user": assessor.pk, "role": Role.ASSESSOR},
    )
    outbox.queue_notification(
        "assessor_assigned",
        occurrence=str(membership.pk),
        object_id=membership.pk,
        apprenticeship_id=locked.pk,
    )
    return membership


@transaction.atomic
def remove_assessor(*, membership: Membership, by: User, reason: str) -> Membership:
    """Take an assessor off; what they recorded stays, and they can no longer see it."""
    if membership.role != Role.ASSESSOR:
        raise EpaError("Only an assessor can be taken off here.")
    _require_epao_admin(lock_apprenticeship(membership.apprenticeship_id), by)
    try:
        return apprenticeship_services.end_membership(membership=membership, by=by, reason=reason)
    except apprenticeship_services.EnrolmentError as error:
        raise EpaError(str(error)) from error
