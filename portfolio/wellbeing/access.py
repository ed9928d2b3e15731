"""Who sees which reasonable adjustment.

- the apprentice: all of their own;
- the employer contact: adjustments at work;
- the tutor and the provider admin: adjustments to learning and to the assessment;
- the assessment organisation's admin (after gateway): assessment adjustments the provider
  passed to them;
- the assessor: only agreed assessment adjustments, on the assessment page
  (`agreed_for_assessment`).
Anything else is a 404. Who may agree: the employer contact for work, the provider for
learning; the assessment organisation decides assessment requests.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for, is_allowed
from apprenticeship.models import Apprenticeship, Role
from portfolio.wellbeing.models import ReasonableAdjustment

AREA = ReasonableAdjustment.Area
PROVIDER_ROLES = frozenset({Role.TUTOR, Role.ADMIN})


def visible_adjustments(apprenticeship: Apprenticeship) -> QuerySet[ReasonableAdjustment]:
    """The adjustments the viewer of an apprenticeship loaded with `get_apprenticeship_for`
    may see."""
    roles = apprenticeship.viewer_roles
    rows = ReasonableAdjustment.objects.filter(apprenticeship=apprenticeship)
    if Role.APPRENTICE in roles:
        return rows
    if roles & PROVIDER_ROLES:
        return rows.filter(area__in=[AREA.LEARNING, AREA.ASSESSMENT])
    if Role.EMPLOYER in roles:
        return rows.filter(area=AREA.WORK)
    if Role.EPAO_ADMIN in roles:
        return rows.filter(area=AREA.ASSESSMENT, passed_at__isnull=False)
    return rows.none()


def agreed_for_assessment(apprenticeship: Apprenticeship) -> QuerySet[ReasonableAdjustment]:
    """What the assessor reads on the assessment page: the agreed assessment adjustments."""
    return ReasonableAdjustment.objects.filter(
        apprenticeship=apprenticeship,
        area=AREA.ASSESSMENT,
        status=ReasonableAdjustment.Status.AGREED,
    )


def waiting_for_gateway(apprenticeship: Apprenticeship) -> QuerySet[ReasonableAdjustment]:
    """The assessment adjustment requests that go to the assessment organisation when the
    provider confirms gateway, as the viewer may see them (the provider sees them all)."""
    return visible_adjustments(apprenticeship).filter(
        area=AREA.ASSESSMENT, status=ReasonableAdjustment.Status.REQUESTED
    )


def may_agree(adjustment: ReasonableAdjustment, roles: frozenset[Role]) -> bool:
    """Whether the viewer is the other party to a work or learning adjustment."""
    if adjustment.area == AREA.WORK:
        return Role.EMPLOYER in roles
    if adjustment.area == AREA.LEARNING:
        return bool(roles & PROVIDER_ROLES)
    return False


def get_adjustment_for(user: User, pk: int, action: Action) -> ReasonableAdjustment:
    """One adjustment, if the user may see it (else 404) and do `action` (else 403)."""
    apprenticeship_id = (
        ReasonableAdjustment.objects.filter(pk=pk)
        .values_list("apprenticeship_id", flat=True)
        .first()
    )
    if apprenticeship_id is None:
        raise Http404
    apprenticeship = get_apprenticeship_for(user, apprenticeship_id, Action.VIEW_ADJUSTMENTS)
    adjustment = visible_adjustments(apprenticeship).filter(pk=pk).first()
    if adjustment is None:
        raise Http404
    if not is_allowed(apprenticeship.viewer_roles, action):
        raise PermissionDenied
    if action == Action.AGREE_ADJUSTMENT and not may_agree(adjustment, apprenticeship.viewer_roles):
        raise PermissionDenied
    adjustment.apprenticeship = apprenticeship
    return adjustment
