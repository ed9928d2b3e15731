"""Rounds of the end-point assessment and the checks every recording service makes.

`create_round` is the one place a round starts: the first attempt (when its first session
is recorded, see `round_to_record`) and each resit or retake (epa/services/results.py).
The checks raise EpaError with the reason: the assessment is past gateway, the recorder
may record (`recording_problems`), and the round is not yet locked by a confirmed result.
"""

from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa.errors import EpaError
from epa.grading import failing_grade
from epa.models import AssessmentRound, MethodAssessment, ResitPolicy
from epa.selectors.assessment import recording_problems
from standards.models import AssessmentMethod, AssessmentPlan

# -- the checks ------------------------------------------------------------------------


def require_post_gateway(apprenticeship: Apprenticeship) -> None:
    if not apprenticeship.is_post_gateway:
        raise EpaError("The end-point assessment can only be recorded after gateway.")


def require_recorder(apprenticeship: Apprenticeship, user: User) -> None:
    problems = recording_problems(apprenticeship, user)
    if problems:
        raise EpaError("Nothing was recorded. " + " ".join(problems))


def locked_message(round_: AssessmentRound, plan: AssessmentPlan) -> str:
    when = f"{timezone.localtime(round_.confirmed_at):%-d %B %Y}"
    if round_.released_at is None:
        return (
            f"The result was confirmed on {when} and is waiting for moderation. It can change "
            "only if the moderator returns it to you."
        )
    if round_.overall_grade == failing_grade(plan):
        return (
            f"The result of the {round_.get_kind_display().lower()} was confirmed on {when} and "
            "is locked. Start a resit or retake to assess the failed method again."
        )
    return (
        f"The result was confirmed on {when} and is locked. A change now needs an appeal, "
        "recorded by the assessment organisation."
    )


def require_unlocked(round_: AssessmentRound, plan: AssessmentPlan) -> None:
    if round_.is_confirmed:
        raise EpaError(locked_message(round_, plan))


# -- the apprenticeship's status -------------------------------------------------------


def set_status(apprenticeship: Apprenticeship, status: str, by: User, reason: str) -> None:
    """Move the apprenticeship to `status` (nothing if it is there already), in the history."""
    if apprenticeship.status == status:
        return
    before = apprenticeship.status
    apprenticeship.status = status
    apprenticeship.save(update_fields=["status"])
    record_event(
        action=AuditAction.APPRENTICESHIP_STATUS_CHANGED,
        obj=apprenticeship,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"{Apprenticeship.Status(status).label}: {reason}",
        before={"status": before},
        after={"status": status},
    )


# -- starting a round ------------------------------------------------------------------


def create_round(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    number: int,
    kind: str,
    methods: list[AssessmentMethod],
    resit_policy: ResitPolicy | None = None,
    scope_basis: str = "",
) -> AssessmentRound:
    """Start round `number` of this kind, assessing `methods` (every method of the plan
    for the first attempt; for a resit or retake, those its rules say), in the history,
    with the assessment organisation's policy the round follows and why those methods.
    Runs in the caller's transaction: the caller holds the apprenticeship's lock and has
    checked that the round may start."""
    round_ = AssessmentRound(
        apprenticeship=apprenticeship,
        number=number,
        kind=kind,
        started_by=by,
        resit_policy=resit_policy,
    )
    round_.full_clean()
    round_.save()
    MethodAssessment.objects.bulk_create(
        MethodAssessment(round=round_, method=method) for method in methods
    )
    if kind == AssessmentRound.Kind.FIRST:
        summary = "The end-point assessment started"
    else:
        summary = f"{round_.get_kind_display()} started: " + ", ".join(m.name for m in methods)
    after: dict = {"number": number, "kind": kind, "methods": [m.code for m in methods]}
    if scope_basis:
        after["why_these_methods"] = scope_basis
    if resit_policy is not None:
        after["resit_policy"] = {"id": resit_policy.pk, "name": resit_policy.name}
    record_event(
        action=AuditAction.EPA_ROUND_STARTED,
        obj=round_,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=summary,
        after=after,
    )
    return round_


def round_to_record(
    apprenticeship: Apprenticeship, by: User, plan: AssessmentPlan
) -> AssessmentRound:
    """The round being recorded, locked. The first round starts, and the apprenticeship
    moves into end-point assessment, when the first session is recorded."""
    current = (
        AssessmentRound.objects.select_for_update()
        .filter(apprenticeship=apprenticeship)
        .order_by("-number")
        .first()
    )
    if current is None:
        round_ = create_round(
            apprenticeship=apprenticeship,
            by=by,
            number=1,
            kind=AssessmentRound.Kind.FIRST,
            methods=list(plan.methods.order_by("order")),
        )
        set_status(apprenticeship, Apprenticeship.Status.EPA, by, "the assessment started")
        return round_
    require_unlocked(current, plan)
    return current
