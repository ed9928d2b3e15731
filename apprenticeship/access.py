"""Who may see and do what. Every view that takes an id goes through here.

Not visible: 404, so we never reveal that a record exists. Visible but not allowed: 403.
A role or action missing from ALLOWED means no.
"""

from collections.abc import Iterable
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, CharField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
    Role,
)


class Action(StrEnum):
    VIEW = "view"
    VIEW_PERSONAL_DETAILS = "view_personal_details"
    VIEW_HISTORY = "view_history"
    EDIT = "edit"
    MANAGE_PEOPLE = "manage_people"
    # Evidence and sign-off
    VIEW_EVIDENCE = "view_evidence"
    ADD_EVIDENCE = "add_evidence"
    COMMENT_ON_EVIDENCE = "comment_on_evidence"
    REVIEW_EVIDENCE = "review_evidence"
    SIGN_OFF_DUTIES = "sign_off_duties"
    WRITE_TESTIMONY = "write_testimony"
    REQUEST_TESTIMONY = "request_testimony"
    KEEP_PRIVATE_NAMES = "keep_private_names"
    # Gateway
    VIEW_GATEWAY = "view_gateway"
    RECORD_ENGLISH_MATHS = "record_english_maths"
    DECLARE_FOR_EMPLOYER = "declare_for_employer"
    DECLARE_FOR_PROVIDER = "declare_for_provider"
    VIEW_SNAPSHOT = "view_snapshot"
    # Progress reviews. The wellbeing check-in is private to the apprentice and the tutor.
    VIEW_REVIEWS = "view_reviews"
    VIEW_REVIEW_WELLBEING = "view_review_wellbeing"
    MANAGE_REVIEWS = "manage_reviews"
    SIGN_REVIEW = "sign_review"
    # Off-the-job training.
    VIEW_OTJ = "view_otj"
    LOG_OTJ = "log_otj"
    VERIFY_OTJ = "verify_otj"
    PLAN_OTJ = "plan_otj"
    MANAGE_BREAKS = "manage_breaks"
    # Supervision: the apprentice's own log. Each record is seen by the people the
    # apprentice shared it with (portfolio/supervision/access.py).
    VIEW_SUPERVISION = "view_supervision"
    RECORD_SUPERVISION = "record_supervision"
    # The wellbeing plan: the apprentice's own; each section is seen by the people the
    # apprentice shares it with (portfolio/wellbeing/selectors.py).
    VIEW_WELLBEING_PLAN = "view_wellbeing_plan"
    MANAGE_WELLBEING_PLAN = "manage_wellbeing_plan"
    # Reasonable adjustments: which areas each role sees is in portfolio/wellbeing/adjustments.py.
    VIEW_ADJUSTMENTS = "view_adjustments"
    REQUEST_ADJUSTMENT = "request_adjustment"
    AGREE_ADJUSTMENT = "agree_adjustment"
    DECIDE_ASSESSMENT_ADJUSTMENT = "decide_assessment_adjustment"
    # Competence frameworks beside the standard (NCCMH)
    MANAGE_FRAMEWORKS = "manage_frameworks"
    # End-point assessment
    VIEW_ASSESSMENT = "view_assessment"
    ASSIGN_ASSESSOR = "assign_assessor"
    RECORD_ASSESSMENT = "record_assessment"
    RECORD_EXCEPTIONAL_CIRCUMSTANCES = "record_exceptional_circumstances"
    RECORD_APPEAL = "record_appeal"
    # Moderation (quality)
    MODERATE_RESULT = "moderate_result"
    RECORD_CERTIFICATE_REQUEST = "record_certificate_request"
    # Booking the assessment (quality)
    VIEW_BOOKINGS = "view_bookings"
    BOOK_ASSESSMENT = "book_assessment"
    ASK_TO_REARRANGE = "ask_to_rearrange"
    VIEW_BOOKING_ADJUSTMENTS = "view_booking_adjustments"


# Who reads the live portfolio (evidence, off-the-job log, reviews). The assessor reads
# only the portfolio frozen at gateway (VIEW_SNAPSHOT); the assessment organisation's
# admin arranges the assessment and reads none of it.
LIVE_PORTFOLIO_READERS = frozenset(Role) - {Role.ASSESSOR, Role.EPAO_ADMIN, Role.MODERATOR}

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.VIEW_PERSONAL_DETAILS: frozenset({Role.APPRENTICE, Role.TUTOR, Role.ADMIN}),
    Action.VIEW_HISTORY: frozenset({Role.APPRENTICE, Role.TUTOR, Role.ADMIN}),
    Action.EDIT: frozenset({Role.ADMIN}),
    Action.MANAGE_PEOPLE: frozenset({Role.ADMIN}),
    # Which evidence each role sees is decided per item in portfolio/access.py.
    Action.VIEW_EVIDENCE: LIVE_PORTFOLIO_READERS,
    Action.ADD_EVIDENCE: frozenset({Role.APPRENTICE}),
    Action.COMMENT_ON_EVIDENCE: frozenset({Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER}),
    Action.REVIEW_EVIDENCE: frozenset({Role.TUTOR}),
    Action.SIGN_OFF_DUTIES: frozenset({Role.TUTOR}),
    Action.WRITE_TESTIMONY: frozenset({Role.EMPLOYER}),
    Action.REQUEST_TESTIMONY: frozenset({Role.APPRENTICE, Role.TUTOR}),
    Action.KEEP_PRIVATE_NAMES: frozenset({Role.APPRENTICE}),
    Action.VIEW_GATEWAY: frozenset({Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER, Role.ADMIN}),
    Action.RECORD_ENGLISH_MATHS: frozenset({Role.TUTOR, Role.ADMIN}),
    Action.DECLARE_FOR_EMPLOYER: frozenset({Role.EMPLOYER}),
    Action.DECLARE_FOR_PROVIDER: frozenset({Role.TUTOR, Role.ADMIN}),
    # The employer reads the live portfolio, without what the apprentice hid from them. The
    # assessment organisation's admin and moderators read it too (appeals, moderation);
    # each of their reads is in the history.
    Action.VIEW_SNAPSHOT: frozenset(
        {
            Role.APPRENTICE,
            Role.TUTOR,
            Role.ADMIN,
            Role.ASSESSOR,
            Role.EPAO_ADMIN,
            Role.MODERATOR,
        }
    ),
    Action.VIEW_REVIEWS: LIVE_PORTFOLIO_READERS,
    Action.VIEW_REVIEW_WELLBEING: frozenset({Role.APPRENTICE, Role.TUTOR}),
    Action.MANAGE_REVIEWS: frozenset({Role.TUTOR}),
    Action.SIGN_REVIEW: frozenset({Role.APPRENTICE, Role.EMPLOYER, Role.TUTOR}),
    Action.VIEW_OTJ: LIVE_PORTFOLIO_READERS,
    Action.LOG_OTJ: frozenset({Role.APPRENTICE}),
    Action.VERIFY_OTJ: frozenset({Role.TUTOR, Role.EMPLOYER}),
    Action.PLAN_OTJ: frozenset({Role.TUTOR, Role.ADMIN}),
    Action.MANAGE_BREAKS: frozenset({Role.TUTOR, Role.ADMIN}),
    # The provider admin is not one of the people an apprentice shares supervision with.
    Action.VIEW_SUPERVISION: frozenset({Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER}),
    Action.RECORD_SUPERVISION: frozenset({Role.APPRENTICE}),
    Action.VIEW_WELLBEING_PLAN: frozenset({Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER}),
    Action.MANAGE_WELLBEING_PLAN: frozenset({Role.APPRENTICE}),
    Action.VIEW_ADJUSTMENTS: frozenset(
        {Role.APPRENTICE, Role.TUTOR, Role.EMPLOYER, Role.ADMIN, Role.EPAO_ADMIN}
    ),
    Action.REQUEST_ADJUSTMENT: frozenset({Role.APPRENTICE}),
    # The employer contact agrees work adjustments, the provider learning ones.
    Action.AGREE_ADJUSTMENT: frozenset({Role.TUTOR, Role.EMPLOYER, Role.ADMIN}),
    Action.DECIDE_ASSESSMENT_ADJUSTMENT: frozenset({Role.EPAO_ADMIN}),
    Action.MANAGE_FRAMEWORKS: frozenset({Role.TUTOR, Role.ADMIN}),
    # The assessment record (sessions, questions, notes, grades) is for the assessor and
    # their organisation; everyone else sees the outcome on the apprenticeship page.
    Action.VIEW_ASSESSMENT: frozenset({Role.ASSESSOR, Role.EPAO_ADMIN, Role.MODERATOR}),
    # The assessment organisation assigns its own assessors; the provider only chooses
    # the organisation.
    Action.ASSIGN_ASSESSOR: frozenset({Role.EPAO_ADMIN}),
    # Independence and the declaration are checked again by every recording service.
    Action.RECORD_ASSESSMENT: frozenset({Role.ASSESSOR}),
    Action.RECORD_EXCEPTIONAL_CIRCUMSTANCES: frozenset({Role.EPAO_ADMIN}),
    Action.RECORD_APPEAL: frozenset({Role.EPAO_ADMIN}),
    # Never the assessor of the result: quality.moderation checks that too.
    Action.MODERATE_RESULT: frozenset({Role.MODERATOR}),
    Action.RECORD_CERTIFICATE_REQUEST: frozenset({Role.EPAO_ADMIN}),
    Action.VIEW_BOOKINGS: frozenset(Role),
    Action.BOOK_ASSESSMENT: frozenset({Role.EPAO_ADMIN}),
    Action.ASK_TO_REARRANGE: frozenset({Role.APPRENTICE, Role.EMPLOYER}),
    # The agreed assessment adjustments, shown with the booked sessions to those who take
    # part on the day (the apprentice, the employer who releases them, the assessor) and the
    # organisation that arranges it; the provider reads them on the adjustments page.
    Action.VIEW_BOOKING_ADJUSTMENTS: frozenset(
        {Role.APPRENTICE, Role.EMPLOYER, Role.ASSESSOR, Role.EPAO_ADMIN}
    ),
}


def is_allowed(roles: frozenset[Role], action: Action) -> bool:
    return bool(roles & ALLOWED.get(action, frozenset()))


def permissions(roles: frozenset[Role]) -> dict[str, bool]:
    """For templates: {action name: allowed} for the viewer's roles."""
    return {action.value: is_allowed(roles, action) for action in ALLOWED}


# -- apprenticeships -------------------------------------------------------------------


def _role_flags(user: User) -> dict:
    """Exists() annotations saying, per apprenticeship row, which roles `user` holds."""
    active = Membership.objects.filter(apprenticeship=OuterRef("pk"), user=user, is_active=True)
    return {
        "as_tutor": Exists(active.filter(role=Role.TUTOR)),
        "as_employer": Exists(active.filter(role=Role.EMPLOYER)),
        "as_assessor": Exists(active.filter(role=Role.ASSESSOR)),
        "as_admin": Exists(
            OrganisationMembership.objects.filter(
                organisation=OuterRef("provider_id"), user=user, is_admin=True, is_active=True
            )
        ),
        "as_epao_admin": Exists(
            OrganisationMembership.objects.filter(
                organisation=OuterRef("epao_id"), user=user, is_admin=True, is_active=True
            )
        ),
        "as_moderator": Exists(
            OrganisationMembership.objects.filter(
                organisation=OuterRef("epao_id"), user=user, is_moderator=True, is_active=True
            )
        ),
    }


def _roles_from_flags(apprenticeship: Apprenticeship, user: User) -> frozenset[Role]:
    roles = set()
    if apprenticeship.apprentice_id == user.pk:
        roles.add(Role.APPRENTICE)
    if apprenticeship.as_tutor:
        roles.add(Role.TUTOR)
    if apprenticeship.as_employer:
        roles.add(Role.EMPLOYER)
    # An assessor sees an apprenticeship only once it has passed gateway.
    if apprenticeship.as_assessor and apprenticeship.is_post_gateway:
        roles.add(Role.ASSESSOR)
    if apprenticeship.as_admin:
        roles.add(Role.ADMIN)
    # So does the assessment organisation's admin.
    if apprenticeship.as_epao_admin and apprenticeship.is_post_gateway:
        roles.add(Role.EPAO_ADMIN)
    # And its moderators.
    if apprenticeship.as_moderator and apprenticeship.is_post_gateway:
        roles.add(Role.MODERATOR)
    return frozenset(roles)


def visible_apprenticeships(user: User) -> QuerySet[Apprenticeship]:
    """Every apprenticeship the user has a reason to see (for lists)."""
    if not user.is_authenticated:
        return Apprenticeship.objects.none()
    flags = _role_flags(user)
    post_gateway = Q(status__in=Apprenticeship.POST_GATEWAY)
    return Apprenticeship.objects.filter(
        Q(apprentice=user)
        | flags["as_tutor"]
        | flags["as_employer"]
        | (flags["as_assessor"] & post_gateway)
        | flags["as_admin"]
        | (flags["as_epao_admin"] & post_gateway)
        | (flags["as_moderator"] & post_gateway)
    )


def apprenticeships_as(user: User, role: Role) -> QuerySet[Apprenticeship]:
    """The apprenticeships where the user holds one given role (for role home pages)."""
    if role == Role.APPRENTICE:
        return Apprenticeship.objects.filter(apprentice=user)
    if role == Role.ADMIN:
        return Apprenticeship.objects.filter(_role_flags(user)["as_admin"])
    if role in (Role.EPAO_ADMIN, Role.MODERATOR):
        flag = "as_epao_admin" if role == Role.EPAO_ADMIN else "as_moderator"
        return Apprenticeship.objects.filter(
            _role_flags(user)[flag], status__in=Apprenticeship.POST_GATEWAY
        )
    scope = Apprenticeship.objects.filter(
        Exists(
            Membership.objects.filter(
                apprenticeship=OuterRef("pk"), user=user, is_active=True, role=role
            )
        )
    )
    if role == Role.ASSESSOR:
        scope = scope.filter(status__in=Apprenticeship.POST_GATEWAY)
    return scope


def get_apprenticeship_for(
    user: User, pk: int, action: Action, *, queryset: QuerySet[Apprenticeship] | None = None
) -> Apprenticeship:
    """The apprenticeship, if the user may do `action` on it. One query.

    The returned object carries `viewer_roles`, the user's roles on it.
    """
    if not user.is_authenticated:
        raise Http404
    base = (
        queryset
        if queryset is not None
        else Apprenticeship.objects.select_related(
            "apprentice", "standard_version", "provider", "employer", "epao"
        )
    )
    apprenticeship = base.annotate(**_role_flags(user)).filter(pk=pk).first()
    if apprenticeship is None:
        raise Http404
    roles = _roles_from_flags(apprenticeship, user)
    if not roles:
        raise Http404
    if not is_allowed(roles, action):
        raise PermissionDenied
    apprenticeship.viewer_roles = roles
    return apprenticeship


def get_membership_for(user: User, pk: int, action: Action) -> Membership:
    membership = Membership.objects.select_related("user").filter(pk=pk).first()
    if membership is None:
        raise Http404
    membership.apprenticeship = get_apprenticeship_for(user, membership.apprenticeship_id, action)
    return membership


def home_roles(user: User) -> frozenset[Role]:
    """Every role the user holds anywhere, in one query (for navigation and home pages).

    The query is a union of three plain lists (the user's roles on apprenticeships, their
    organisations' kinds with their admin and moderator flags, and whether they are an
    apprentice): every page's navigation runs it, and it costs far less to build than one
    EXISTS per role."""
    if not user.is_authenticated:
        return frozenset()
    text, flag = CharField(), BooleanField()
    blank, no = Value("", output_field=text), Value(False, output_field=flag)
    on_apprenticeships = (
        Membership.objects.filter(
            user=user, is_active=True, role__in=(Role.TUTOR, Role.EMPLOYER, Role.ASSESSOR)
        )
        .order_by()
        .values_list("role", blank, no, no)
    )
    in_organisations = (
        OrganisationMembership.objects.filter(user=user, is_active=True)
        .order_by()
        .values_list(blank, "organisation__kind", "is_admin", "is_moderator")
    )
    as_apprentice = (
        Apprenticeship.objects.filter(apprentice=user)
        .order_by()
        .values_list(Value(Role.APPRENTICE.value, output_field=text), blank, no, no)
    )
    roles = set()
    for role, kind, is_admin, is_moderator in on_apprenticeships.union(
        in_organisations, as_apprentice
    ):
        if role:
            roles.add(Role(role))
        if kind == Organisation.Kind.PROVIDER and is_admin:
            roles.add(Role.ADMIN)
        if kind == Organisation.Kind.EPAO:
            # Assessors have no assignments until an apprentice passes gateway, so working
            # for an assessment organisation is enough for their home page.
            roles.add(Role.ASSESSOR)
            if is_admin:
                roles.add(Role.EPAO_ADMIN)
            if is_moderator:
                roles.add(Role.MODERATOR)
    return frozenset(roles)


# -- organisations and people ----------------------------------------------------------


def apprenticeships_of(providers: Iterable[Organisation]) -> QuerySet[Apprenticeship]:
    """The apprenticeships of these providers. Given `administered_providers(user)`, the
    same apprenticeships as `apprenticeships_as(user, Role.ADMIN)`, with the providers' ids
    written into the query: PostgreSQL then knows how many rows there are, and reads one
    page sorted by name off an index instead of sorting a provider's thousands."""
    return Apprenticeship.objects.filter(provider_id__in=[p.pk for p in providers])


def administered_providers(user: User) -> QuerySet[Organisation]:
    """Training providers the user administers."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER,
        memberships__user=user,
        memberships__is_admin=True,
        memberships__is_active=True,
    )


def get_administered_provider(user: User, pk: int) -> Organisation:
    """A training provider the user administers, for its own settings pages; else 404."""
    provider = administered_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def require_provider_admin(user: User) -> None:
    """For pages that work across a provider (overview, organisations, enrolling)."""
    if not administered_providers(user).exists():
        raise PermissionDenied


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations a provider admin looks after: their providers and those they manage."""
    providers = administered_providers(user).values("pk")
    return Organisation.objects.filter(Q(pk__in=providers) | Q(managed_by__in=providers))


def get_organisation_for(user: User, pk: int) -> Organisation:
    """Only admins of the organisation's managing provider may see or change it."""
    organisation = visible_organisations(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def visible_people(user: User) -> QuerySet[User]:
    """People who work for an organisation the user administers."""
    return User.objects.filter(
        Exists(
            OrganisationMembership.objects.filter(
                user=OuterRef("pk"),
                is_active=True,
                organisation__in=visible_organisations(user),
            )
        )
    )


def get_person_for(user: User, pk: int) -> User:
    person = visible_people(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def pending_invitations(user: User) -> QuerySet[OrganisationInvitation]:
    """The invitations waiting for `user`'s answer: only ever their own."""
    if not user.is_authenticated:
        return OrganisationInvitation.objects.none()
    return (
        OrganisationInvitation.objects.filter(
            user=user, status=OrganisationInvitation.Status.PENDING
        )
        .select_related("organisation", "invited_by")
        .order_by("-created_at", "-pk")
    )


def get_invitation_for(user: User, pk: int) -> OrganisationInvitation:
    """A pending invitation of `user`'s own; anyone else's, or an answered one, is a 404."""
    invitation = pending_invitations(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def must_use_two_factor(user: User) -> bool:
    """Staff who can read many apprentices' records must use two-factor sign-in: provider
    admins, assessment organisation admins and site operators (one query; named by
    settings.TWO_FACTOR_STAFF_CHECK)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.is_active:
        return True
    return OrganisationMembership.objects.filter(
        user=user,
        is_admin=True,
        is_active=True,
        organisation__kind__in=[Organisation.Kind.PROVIDER, Organisation.Kind.EPAO],
    ).exists()
