"""A second framework beside the standard (such as the NCCMH framework): turning it on for
an apprenticeship, mapping evidence to its units, and the coverage of its units. The
mapping is the apprentice's own choice; nothing is mapped automatically."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from accounts.models import User
from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from portfolio.evidence.access import visible_evidence
from portfolio.evidence.models import Evidence
from standards.models import CompetenceFramework, FrameworkUnit


class FrameworkMappingError(Exception):
    """A mapping that is refused; the message is for the apprentice."""


@transaction.atomic
def set_framework(
    *, apprenticeship: Apprenticeship, framework: CompetenceFramework, on: bool, by: User
) -> None:
    """Turn a framework on or off for an apprenticeship. Turning it off keeps every
    mapping already made (turning it on again shows them again)."""
    already = apprenticeship.competence_frameworks.filter(pk=framework.pk).exists()
    if on == already:
        return
    if on:
        apprenticeship.competence_frameworks.add(framework)
    else:
        apprenticeship.competence_frameworks.remove(framework)
    record_event(
        action=AuditAction.FRAMEWORK_TURNED_ON if on else AuditAction.FRAMEWORK_TURNED_OFF,
        obj=framework,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Turned {'on' if on else 'off'} {framework.title}",
    )


def units_on(apprenticeship: Apprenticeship) -> QuerySet[FrameworkUnit]:
    """The units of every framework turned on for the apprenticeship, in order."""
    return (
        FrameworkUnit.objects.filter(section__framework__apprenticeships=apprenticeship)
        .select_related("section__framework")
        .order_by("section__framework__title", "section__number", "position")
    )


@transaction.atomic
def map_framework_units(*, evidence: Evidence, units: list[FrameworkUnit], by: User) -> None:
    """Set the framework units the evidence shows (units of frameworks turned on only)."""
    if by.pk != evidence.apprenticeship.apprentice_id:
        raise FrameworkMappingError("Only the apprentice maps their evidence.")
    allowed = set(units_on(evidence.apprenticeship).values_list("pk", flat=True))
    if any(u.pk not in allowed for u in units):
        raise FrameworkMappingError("Choose units of a framework turned on for you.")
    before = sorted(evidence.framework_units.values_list("code", flat=True))
    evidence.framework_units.set(units)
    after = sorted(u.code for u in units)
    if before != after:
        record_event(
            action=AuditAction.EVIDENCE_FRAMEWORK_UNITS,
            obj=evidence,
            actor=by,
            apprenticeship_id=evidence.apprenticeship_id,
            summary=f"Mapped “{evidence.display_title}” to framework units",
            before={"units": before},
            after={"units": after},
        )


@dataclass(frozen=True)
class UnitRow:
    unit: FrameworkUnit
    submitted: int
    accepted: int


def framework_coverage(apprenticeship: Apprenticeship) -> list[UnitRow]:
    """Each unit turned on with how much of the viewer's visible evidence shows it, in one
    query however many units or items."""
    visible = visible_evidence(apprenticeship)
    submitted = Q(evidence__in=visible.exclude(status=Evidence.Status.DRAFT))
    accepted = Q(evidence__in=visible.filter(accepted_version__isnull=False))
    rows = units_on(apprenticeship).annotate(
        n_submitted=Count("evidence", filter=submitted, distinct=True),
        n_accepted=Count("evidence", filter=accepted, distinct=True),
    )
    return [UnitRow(unit=u, submitted=u.n_submitted, accepted=u.n_accepted) for u in rows]
