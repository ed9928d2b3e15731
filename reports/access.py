"""Who may ask for and read which report.

A report's audience decides what it contains, so each person only ever sees the copy
their role would get: the employer's copy leaves out what the apprentice hid from the
employer; the assessor reads the gateway pack, built from the frozen snapshot.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import Apprenticeship, Role
from reports.models import Report

FULL_COPY_ROLES = frozenset({Role.APPRENTICE, Role.TUTOR, Role.ADMIN})
GATEWAY_PACK_ROLES = frozenset({Role.APPRENTICE, Role.TUTOR, Role.ADMIN, Role.ASSESSOR})


def audience_for(roles: frozenset[Role], kind: str) -> str | None:
    """The copy of a report of `kind` that someone with `roles` gets, or None."""
    if kind == Report.Kind.PORTFOLIO:
        if roles & FULL_COPY_ROLES:
            return Report.Audience.FULL
        if Role.EMPLOYER in roles:
            return Report.Audience.EMPLOYER
    if kind == Report.Kind.GATEWAY_PACK and roles & GATEWAY_PACK_ROLES:
        return Report.Audience.ASSESSOR
    return None


def get_apprenticeship_for_report(user: User, pk: int, kind: str) -> tuple[Apprenticeship, str]:
    """The apprenticeship and the audience of the report `user` may ask for."""
    apprenticeship = get_apprenticeship_for(user, pk, Action.VIEW)
    audience = audience_for(apprenticeship.viewer_roles, kind)
    if audience is None:
        raise PermissionDenied
    return apprenticeship, audience


def visible_reports(user: User, apprenticeship: Apprenticeship) -> QuerySet[Report]:
    """Reports on an apprenticeship (already checked with get_apprenticeship_for) that the
    user may open: only the copies their role gets."""
    allowed = [
        (kind, audience)
        for kind in Report.Kind
        if (audience := audience_for(apprenticeship.viewer_roles, kind)) is not None
    ]
    reports = Report.objects.none()
    for kind, audience in allowed:
        reports = reports | Report.objects.filter(
            apprenticeship=apprenticeship, kind=kind, audience=audience
        )
    return reports


def get_report_for(user: User, pk: int) -> Report:
    report = Report.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    apprenticeship = get_apprenticeship_for(user, report.apprenticeship_id, Action.VIEW)
    if audience_for(apprenticeship.viewer_roles, report.kind) != report.audience:
        raise Http404
    report.apprenticeship = apprenticeship
    return report
