"""Reads the assessor's services and pages share: who may record (the independence check,
the assignment, the declaration), the plan, the latest round and its result, the ways a
session may be held, what still stops a method being graded, and where the assessment
has got to in a few words.

The plan's facts (sessions, video sessions, minimum questions, themes, grade options) are
read from the standard's AssessmentPlan and AssessmentMethod rows.
"""

from typing import cast

from django.db.models import Prefetch

from accounts.models import User
from apprenticeship.models import (
    Apprenticeship,
    Membership,
    Organisation,
    OrganisationMembership,
    Role,
)
from epa.errors import EpaError
from epa.grading import ResitRules, RoundResult, resit_rules, round_result
from epa.models import (
    AssessmentRound,
    AssessmentSession,
    ConflictDeclaration,
    MethodAssessment,
    ResitPolicy,
    SessionMode,
)
from standards.models import AssessmentMethod, AssessmentPlan, StandardVersion

DECLARE_FIRST = "Declare that you have no conflict of interest before recording anything."

ROLE_CONFLICTS: dict[str, str] = {
    Role.TUTOR: "is or was the apprentice's tutor",
    Role.EMPLOYER: "is or was the apprentice's employer contact",
}


# -- who may record --------------------------------------------------------------------


def independence_problems(apprenticeship: Apprenticeship, user: User) -> list[str]:
    """Why `user` may not assess this apprentice; an empty list when they may.

    Used when an assessor is assigned and again every time anything is recorded. Ended
    roles and ended jobs count: someone who was the tutor last year is not independent.
    The assessor must also work, now, for the apprenticeship's assessment organisation.
    """
    name = user.full_name or user.email
    problems = []
    if user.pk == apprenticeship.apprentice_id:
        problems.append(f"{name} is the apprentice.")
    roles = set(
        Membership.objects.filter(apprenticeship_id=apprenticeship.pk, user=user)
        .exclude(role=Role.ASSESSOR)
        .values_list("role", flat=True)
    )
    for role in sorted(roles):
        conflict = ROLE_CONFLICTS.get(
            role, f"has another role on this apprenticeship ({Role(role).label.lower()})"
        )
        problems.append(f"{name} {conflict}.")
    worked_for = set(
        OrganisationMembership.objects.filter(
            user=user, organisation_id__in=[apprenticeship.employer_id, apprenticeship.provider_id]
        ).values_list("organisation_id", flat=True)
    )
    if apprenticeship.employer_id in worked_for:
        problems.append(f"{name} works or worked for the employer, {apprenticeship.employer.name}.")
    if apprenticeship.provider_id in worked_for:
        problems.append(
            f"{name} works or worked for the training provider, {apprenticeship.provider.name}."
        )
    if apprenticeship.epao_id is None:
        problems.append("No end-point assessment organisation has been chosen for this apprentice.")
    elif not OrganisationMembership.objects.filter(
        user=user, organisation_id=apprenticeship.epao_id, is_active=True
    ).exists():
        epao = cast(Organisation, apprenticeship.epao)  # not None: epao_id is checked above
        problems.append(f"{name} does not work for the assessment organisation, {epao.name}.")
    return problems


def is_assigned(apprenticeship: Apprenticeship, user: User) -> bool:
    return Membership.objects.filter(
        apprenticeship_id=apprenticeship.pk, user=user, role=Role.ASSESSOR, is_active=True
    ).exists()


def has_declared(apprenticeship: Apprenticeship, user: User) -> bool:
    return ConflictDeclaration.objects.filter(
        apprenticeship_id=apprenticeship.pk, assessor=user
    ).exists()


def recording_problems(apprenticeship: Apprenticeship, user: User) -> list[str]:
    """Why `user` may not record anything for this assessment; empty when they may."""
    if not apprenticeship.is_post_gateway:
        return ["The end-point assessment can only be recorded after gateway."]
    if not is_assigned(apprenticeship, user):
        return [f"{user.full_name} is not assigned as this apprentice's assessor."]
    problems = independence_problems(apprenticeship, user)
    if problems:
        return problems
    if not has_declared(apprenticeship, user):
        return [DECLARE_FIRST]
    return []


# -- the plan --------------------------------------------------------------------------


def plan_for(apprenticeship: Apprenticeship) -> AssessmentPlan:
    """The apprenticeship's plan; EpaError while it has not been loaded."""
    plan = AssessmentPlan.objects.filter(
        standard_version_id=apprenticeship.standard_version_id
    ).first()
    if plan is None:
        raise EpaError(
            "The assessment plan for this standard has not been loaded, so nothing can be "
            "recorded yet."
        )
    return plan


def plan_of(standard_version: StandardVersion) -> AssessmentPlan | None:
    """The standard's plan, if loaded (no query when select_related)."""
    try:
        return standard_version.assessment_plan
    except AssessmentPlan.DoesNotExist:
        return None


def plan_facts(plan: AssessmentPlan) -> dict[str, dict[str, str]]:
    """The plan's per-fact provenance, for the facts the assessor relies on."""
    return {
        "grade_table": plan.fact("gradeTable"),
        "window": plan.fact("epaWindowMonths"),
        "cap": plan.fact("resitGradeCap"),
        "scope": plan.fact("resitScope"),
        "themes": plan.fact("everyThemeRequired"),
        "method_ksbs": plan.fact("methodKsbs"),
    }


def next_resit_rules(apprenticeship: Apprenticeship, plan: AssessmentPlan) -> ResitRules:
    """The rules a resit or retake started now would follow: the plan's, else the
    assessment organisation's latest policy for the standard. One query."""
    return resit_rules(
        plan,
        ResitPolicy.objects.current_for(apprenticeship.epao_id, apprenticeship.standard_version_id),
    )


def video_rule(method: AssessmentMethod) -> str:
    """Which sessions of the method the plan lets be held by video, in words."""
    if not method.remote_sessions:
        return f"The plan does not allow {method.name} to be held by video."
    sessions = ", ".join(str(n) for n in method.remote_sessions)
    plural = "s" if len(method.remote_sessions) > 1 else ""
    return f"The plan allows video only for session{plural} {sessions} of {method.name}."


def allowed_modes(method: AssessmentMethod, number: int) -> list[str]:
    """The ways the plan lets this session be held."""
    if number in method.remote_sessions:
        return [SessionMode.IN_PERSON, SessionMode.VIDEO]
    return [SessionMode.IN_PERSON]


# -- rounds, grading and results -------------------------------------------------------


def latest_round(apprenticeship: Apprenticeship) -> AssessmentRound | None:
    return (
        AssessmentRound.objects.filter(apprenticeship_id=apprenticeship.pk)
        .order_by("-number")
        .first()
    )


def every_theme_required(plan: AssessmentPlan) -> bool:
    """Whether the plan's data says, with a source, that every theme must be covered
    before a method can be graded. Otherwise an uncovered theme is only a warning."""
    return plan.every_theme_required and plan.states("everyThemeRequired")


def uncovered_themes(method_assessment: MethodAssessment) -> list[str]:
    method = method_assessment.method
    covered = {q.theme for s in method_assessment.sessions.all() for q in s.questions.all()}
    return [theme for theme in method.themes if theme not in covered]


def grading_warnings(method_assessment: MethodAssessment) -> list[str]:
    """What the assessor should know before grading but that does not stop it: themes no
    question covers yet, where the plan's data does not require every theme."""
    if every_theme_required(method_assessment.method.plan):
        return []
    uncovered = uncovered_themes(method_assessment)
    if not uncovered:
        return []
    return [
        "No question covers these themes yet: "
        + "; ".join(uncovered)
        + ". The plan's data does not say every theme must be covered, so you can still "
        "grade."
    ]


def grading_problems(method_assessment: MethodAssessment) -> list[str]:
    """What still stops this method being graded, by the plan's rules: every session
    recorded, the minimum questions in each and in all, every theme covered (only where
    the plan's data requires it), and a note against every KSB the plan maps to the
    method. Empty when it can be graded."""
    method = method_assessment.method
    sessions = {s.number: s for s in method_assessment.sessions.all()}
    problems = []
    total = 0
    for number in range(1, method.sessions + 1):
        label = f"session {number}" if method.sessions > 1 else "the session"
        session = sessions.get(number)
        if session is None:
            problems.append(f"Record {label}.")
            continue
        asked = len(session.questions.all())
        total += asked
        if method.min_questions_per_session and asked < method.min_questions_per_session:
            problems.append(
                f"{label[0].upper()}{label[1:]} has {asked} question{'s' if asked != 1 else ''}; "
                f"the plan asks for at least {method.min_questions_per_session} after each session."
            )
    if method.min_questions and total < method.min_questions:
        problems.append(
            f"{total} question{'s' if total != 1 else ''} recorded in all; the plan asks for at "
            f"least {method.min_questions}."
        )
    if method.themes and every_theme_required(method.plan):
        uncovered = uncovered_themes(method_assessment)
        if uncovered:
            problems.append(
                "No question covers these themes yet: "
                + "; ".join(uncovered)
                + ". The plan asks for every theme to be covered."
            )
    noted = {n.ksb_id for n in method_assessment.ksb_notes.all() if n.note.strip()}
    missing = [ksb.code for ksb in method.ksbs.all() if ksb.pk not in noted]
    if missing:
        problems.append(
            "Write a note against every KSB this method assesses. Still to do: "
            + ", ".join(missing)
            + "."
        )
    return problems


def method_assessment_with_record(method_assessment_id: int) -> MethodAssessment:
    """The method assessment with everything `grading_problems` reads."""
    return (
        MethodAssessment.objects.select_related("method__plan", "round")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=AssessmentSession.objects.prefetch_related("questions"),
            ),
            "ksb_notes",
            "method__ksbs",
        )
        .get(pk=method_assessment_id)
    )


def result_of(round_: AssessmentRound, plan: AssessmentPlan) -> RoundResult:
    """The result the round gives now, loaded from the database (see grading.round_result)."""
    previous = (
        AssessmentRound.objects.filter(
            apprenticeship_id=round_.apprenticeship_id, number=round_.number - 1
        ).first()
        if round_.number > 1
        else None
    )
    return round_result(
        round_,
        plan,
        list(plan.methods.order_by("order")),
        list(round_.method_assessments.all()),
        previous,
    )


# -- where it has got to ---------------------------------------------------------------


def describe_state(
    *,
    status: str,
    assessors: int,
    declared: int,
    round_kind: str | None,
    round_confirmed: bool,
    overall: str,
    graded: int,
    methods: int,
    failing: str | None,
    held: bool = False,
) -> str:
    """Where the end-point assessment is, in a few plain words. A result `held` for
    moderation is not released yet, so its grade is not given."""
    if status == Apprenticeship.Status.COMPLETED:
        return f"Completed: {overall}" if overall else "Completed"
    if round_kind is None:
        if not assessors:
            return "Waiting for an assessor"
        if not declared:
            return "Assessor assigned, waiting for their declaration of no conflict of interest"
        return "Assessor assigned, not started"
    label = AssessmentRound.Kind(round_kind).label
    if round_confirmed and held:
        return f"{label}: result confirmed by the assessor, waiting for moderation"
    if round_confirmed:
        if overall == failing:
            return f"{label}: {overall}. A resit or retake can be started."
        return f"{label}: {overall}"
    if not assessors:
        return f"{label} in progress, waiting for an assessor"
    if methods and graded == methods:
        return f"{label}: every method graded, waiting for the assessor to confirm the result"
    return f"{label}: {graded} of {methods} method{'s' if methods != 1 else ''} graded"
