"""Who may see and do what at gateway and in end-point assessment. Every record goes through
its apprenticeship: load the row, then `get_apprenticeship_for(user, row's apprenticeship,
action)` decides (see apprenticeship/access.py). An assessor sees an apprenticeship only
once it has passed gateway and only while assigned; anyone else is a 404 or a 403 there.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, administered_providers, get_apprenticeship_for
from apprenticeship.models import Apprenticeship, Membership, Organisation, Role
from epa.models import (
    Appeal,
    AssessmentQuestion,
    AssessmentRound,
    AssessmentSession,
    GatewayDeclaration,
    GatewaySnapshot,
    MethodAssessment,
)
from epa.selectors import frozen

DECLARE_ACTION: dict[str, Action] = {
    GatewayDeclaration.Party.EMPLOYER: Action.DECLARE_FOR_EMPLOYER,
    GatewayDeclaration.Party.PROVIDER: Action.DECLARE_FOR_PROVIDER,
}


def get_declaration_for(user: User, pk: int) -> GatewayDeclaration:
    """A declaration, for someone who may make (and so withdraw) that party's one."""
    declaration = GatewayDeclaration.objects.select_related("declared_by").filter(pk=pk).first()
    if declaration is None:
        raise Http404
    declaration.apprenticeship = get_apprenticeship_for(
        user, declaration.apprenticeship_id, DECLARE_ACTION[declaration.party]
    )
    return declaration


def get_snapshot_for(user: User, pk: int) -> tuple[Apprenticeship, GatewaySnapshot]:
    """The apprenticeship and its frozen portfolio (without its document: read it in
    parts with epa.selectors.frozen); 404 until gateway has passed."""
    apprenticeship = get_apprenticeship_for(user, pk, Action.VIEW_SNAPSHOT)
    snapshot = frozen.snapshot_of(apprenticeship)
    if snapshot is None:
        raise Http404
    return apprenticeship, snapshot


def get_round_for(user: User, pk: int, action: Action) -> AssessmentRound:
    round_ = AssessmentRound.objects.select_related("confirmed_by").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    round_.apprenticeship = get_apprenticeship_for(user, round_.apprenticeship_id, action)
    return round_


def get_method_assessment_for(user: User, pk: int, action: Action) -> MethodAssessment:
    assessment = MethodAssessment.objects.select_related("round", "method").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    assessment.round.apprenticeship = get_apprenticeship_for(
        user, assessment.round.apprenticeship_id, action
    )
    return assessment


def get_session_for(user: User, pk: int, action: Action) -> AssessmentSession:
    session = (
        AssessmentSession.objects.select_related(
            "method_assessment__round", "method_assessment__method"
        )
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    round_ = session.method_assessment.round
    round_.apprenticeship = get_apprenticeship_for(user, round_.apprenticeship_id, action)
    return session


def get_question_for(user: User, pk: int, action: Action) -> AssessmentQuestion:
    question = (
        AssessmentQuestion.objects.select_related(
            "session__method_assessment__round", "session__method_assessment__method"
        )
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    round_ = question.session.method_assessment.round
    round_.apprenticeship = get_apprenticeship_for(user, round_.apprenticeship_id, action)
    return question


def get_appeal_for(user: User, pk: int, action: Action) -> Appeal:
    appeal = Appeal.objects.select_related("round").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    appeal.round.apprenticeship = get_apprenticeship_for(
        user, appeal.round.apprenticeship_id, action
    )
    return appeal


def get_assessor_membership_for(user: User, pk: int, action: Action) -> Membership:
    """An assessor's assignment (active), if the user may do `action` on its apprenticeship."""
    membership = (
        Membership.objects.select_related("user")
        .filter(pk=pk, role=Role.ASSESSOR, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    membership.apprenticeship = get_apprenticeship_for(user, membership.apprenticeship_id, action)
    return membership


# -- organisations' own policies -------------------------------------------------------


def get_provider_for_policy(user: User, pk: int) -> Organisation:
    """A training provider whose gateway policy the user may set: they administer it."""
    provider = administered_providers(user).filter(pk=pk).first()
    if provider is None:
        raise Http404
    return provider


def administered_epaos(user: User) -> QuerySet[Organisation]:
    """End-point assessment organisations the user administers."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.EPAO,
        memberships__user=user,
        memberships__is_admin=True,
        memberships__is_active=True,
    )


def get_epao_for(user: User, pk: int) -> Organisation:
    """An assessment organisation whose resit policy the user may record: they administer it."""
    epao = administered_epaos(user).filter(pk=pk).first()
    if epao is None:
        raise Http404
    return epao
