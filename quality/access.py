"""Who may see and do what in quality assurance. Moderation cases go through their
apprenticeship (apprenticeship/access.py): the moderators and admins of its assessment
organisation see them after gateway, and only a moderator decides. Not visible: 404;
visible but not allowed: 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import Apprenticeship, Organisation, OrganisationMembership
from quality.models import AssessmentBooking, ModerationCase


def moderated_epaos(user: User) -> QuerySet[Organisation]:
    """Assessment organisations where the user moderates or is an admin."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.EPAO,
        pk__in=OrganisationMembership.objects.filter(user=user, is_active=True)
        .filter(Q(is_moderator=True) | Q(is_admin=True))
        .values("organisation_id"),
    )


def require_moderation_reader(user: User) -> None:
    """For the list of results waiting for moderation."""
    if not moderated_epaos(user).exists():
        raise PermissionDenied


def visible_cases(user: User) -> QuerySet[ModerationCase]:
    """Results sampled for moderation at the organisations the user moderates or runs."""
    # The same rule as the case page: the apprenticeship's organisation now.
    return ModerationCase.objects.filter(
        apprenticeship__epao__in=moderated_epaos(user),
        apprenticeship__status__in=Apprenticeship.POST_GATEWAY,
    )


def get_case_for(user: User, pk: int, action: Action) -> ModerationCase:
    """A case, if the user may do `action` on its apprenticeship's assessment."""
    case = ModerationCase.objects.for_list().filter(pk=pk).first()
    if case is None:
        raise Http404
    case.apprenticeship = get_apprenticeship_for(user, case.apprenticeship_id, action)
    return case


def get_booking_for(user: User, pk: int, action: Action) -> AssessmentBooking:
    booking = AssessmentBooking.objects.select_related("method").filter(pk=pk).first()
    if booking is None:
        raise Http404
    booking.apprenticeship = get_apprenticeship_for(user, booking.apprenticeship_id, action)
    return booking
