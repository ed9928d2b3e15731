"""Reads that are recorded: the assessment organisation's admin and moderators reading an
apprentice's frozen portfolio. They oversee the assessment rather than take part in the
apprentice's training, so each page or file they open is in the apprenticeship's history,
where the provider and the apprentice can see who looked and when."""

from django.db import transaction

from accounts.models import User
from apprenticeship.models import Apprenticeship, Role
from audit.actions import AuditAction
from audit.services import record_event
from epa.models import GatewaySnapshot

# Roles whose reads of the frozen portfolio are recorded (unless they also hold a role
# that reads it as part of the work: the assessor, the tutor, the apprentice).
RECORDED_READERS = frozenset({Role.EPAO_ADMIN, Role.MODERATOR})
WORKING_READERS = frozenset({Role.APPRENTICE, Role.TUTOR, Role.ADMIN, Role.ASSESSOR})


def log_snapshot_read(
    *, apprenticeship: Apprenticeship, snapshot: GatewaySnapshot, by: User, what: str
) -> bool:
    """Record that `by` opened `what` of the frozen portfolio, when their roles (from
    apprenticeship/access.py) make it a recorded read. True when it was recorded; other
    readers cost no query."""
    roles = apprenticeship.viewer_roles
    if not roles & RECORDED_READERS or roles & WORKING_READERS:
        return False
    _record_read(apprenticeship, snapshot, by, what, roles & RECORDED_READERS)
    return True


@transaction.atomic
def _record_read(
    apprenticeship: Apprenticeship,
    snapshot: GatewaySnapshot,
    by: User,
    what: str,
    roles: frozenset[Role],
) -> None:
    as_role = ", ".join(sorted(r.label.lower() for r in roles))
    record_event(
        action=AuditAction.EPA_SNAPSHOT_READ,
        obj=snapshot,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Read the frozen portfolio ({what}) as {as_role}",
        after={"what": what},
    )
