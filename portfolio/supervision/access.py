"""Who sees which supervision record.

- the apprentice: all of their own, with their reflection;
- the tutor: the records the apprentice shares with the tutor;
- the employer contact: the records the apprentice shares with the employer;
- the provider admin: none (403 on the log), and the assessor none of the live log (404):
  an assessor reads a record only through evidence frozen at gateway.
The reflection is shown to a tutor or employer contact only when the apprentice shares it
as well (`may_read_reflection`). A record the viewer may not see is a 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for, is_allowed
from apprenticeship.models import Apprenticeship, Role
from portfolio.supervision.models import SupervisionRecord


def visible_records(apprenticeship: Apprenticeship) -> QuerySet[SupervisionRecord]:
    """The records of an apprenticeship loaded with `get_apprenticeship_for`, as its viewer
    may see them (for the log and every single-record lookup)."""
    roles = apprenticeship.viewer_roles
    records = SupervisionRecord.objects.filter(apprenticeship=apprenticeship)
    if Role.APPRENTICE in roles:
        return records
    if Role.TUTOR in roles:
        return records.filter(shared_with_tutor=True)
    if Role.EMPLOYER in roles:
        return records.filter(shared_with_employer=True)
    return records.none()


def may_read_reflection(record: SupervisionRecord, roles: frozenset[Role]) -> bool:
    """Whether a viewer who can see the record also reads the apprentice's reflection."""
    return Role.APPRENTICE in roles or record.reflection_shared


def get_record_for(user: User, pk: int, action: Action) -> SupervisionRecord:
    """One record, if the user may see it (else 404) and do `action` (else 403). The
    record's `apprenticeship` carries `viewer_roles`."""
    apprenticeship_id = (
        SupervisionRecord.objects.filter(pk=pk).values_list("apprenticeship_id", flat=True).first()
    )
    if apprenticeship_id is None:
        raise Http404
    apprenticeship = get_apprenticeship_for(user, apprenticeship_id, Action.VIEW_SUPERVISION)
    record = (
        visible_records(apprenticeship)
        .select_related("supervisor", "evidence", "otj_entry")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    if not is_allowed(apprenticeship.viewer_roles, action):
        raise PermissionDenied
    record.apprenticeship = apprenticeship
    return record
