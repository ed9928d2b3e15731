"""The result of the end-point assessment: the assessor's confirmation of the overall
grade the plan gives (epa/grading.py works it out; confirming locks it), resits and
retakes of the failed methods, and what the assessment organisation records:
exceptional circumstances and appeals. Each change is in the append-only history.

Every service locks the apprenticeship row first (see epa/services/assessment.py) and the
assessor's services check the recorder again with `recording_problems`.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa import release
from epa.errors import EpaError
from epa.grading import failing_grade
from epa.models import Appeal, AssessmentRound
from epa.selectors.assessment import latest_round, next_resit_rules, plan_for, result_of
from epa.services.rounds import (
    create_round,
    locked_message,
    require_post_gateway,
    require_recorder,
    require_unlocked,
    set_status,
)
from outbox import services as outbox

# -- the result of a round -------------------------------------------------------------


@transaction.atomic
def confirm_result(
    *, round_: AssessmentRound, by: User, grade: str, now: dt.datetime | None = None
) -> AssessmentRound:
    """Confirm the overall grade the plan gives. `grade` is the grade the assessor saw;
    if it no longer matches, nothing is confirmed. Once confirmed the round is locked. It
    is released to the provider and the apprentice at once unless a hold (moderation)
    keeps it back; on release a pass or better completes the apprenticeship."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    require_recorder(locked, by)
    plan = plan_for(locked)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if current.is_confirmed:
        raise EpaError(locked_message(current, plan))
    result = result_of(current, plan)
    if not result.complete:
        raise EpaError(
            "Grade every method first. Not graded yet: " + ", ".join(result.missing) + "."
        )
    if grade != result.overall:
        raise EpaError(
            "The overall grade has changed since you opened the page. Check it again before "
            "confirming."
        )
    current.grades = {
        g.method.code: {"grade": g.grade, "round": g.round_number} for g in result.grades
    }
    current.table_grade = result.table_grade
    current.cap_applied = result.cap_applied
    current.cap_basis = result.rules.cap_basis if result.rules else ""
    current.confirmed_grade = current.overall_grade = result.overall
    current.confirmed_at = now or timezone.now()
    current.confirmed_by = by
    current.full_clean()
    current.save(
        update_fields=[
            "grades",
            "table_grade",
            "cap_applied",
            "cap_basis",
            "confirmed_grade",
            "overall_grade",
            "confirmed_at",
            "confirmed_by",
        ]
    )
    capped = (
        f" (the grade table gives {result.table_grade}. {current.cap_basis})"
        if result.cap_applied
        else ""
    )
    record_event(
        action=AuditAction.EPA_RESULT_CONFIRMED,
        obj=current,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Confirmed the end-point assessment result: {result.overall}{capped}",
        after={
            "grades": current.grades,
            "table_grade": result.table_grade,
            "cap_applied": result.cap_applied,
            "cap_basis": current.cap_basis,
            "overall_grade": result.overall,
        },
    )
    if release.is_held(current, current.confirmed_at):
        record_event(
            action=AuditAction.EPA_RESULT_HELD,
            obj=current,
            actor=by,
            apprenticeship_id=locked.pk,
            summary="The result waits for moderation before it is released",
        )
    else:
        _release(locked, current, by=by, at=current.confirmed_at, plan_failing=failing_grade(plan))
    return current


def _release(
    apprenticeship: Apprenticeship,
    round_: AssessmentRound,
    *,
    by: User,
    at: dt.datetime,
    plan_failing: str,
) -> None:
    round_.released_at = at
    round_.save(update_fields=["released_at"])
    record_event(
        action=AuditAction.EPA_RESULT_RELEASED,
        obj=round_,
        actor=by,
        apprenticeship_id=apprenticeship.pk,
        summary=f"Released the end-point assessment result: {round_.overall_grade}",
        after={"overall_grade": round_.overall_grade},
    )
    if round_.overall_grade != plan_failing:
        set_status(
            apprenticeship,
            Apprenticeship.Status.COMPLETED,
            by,
            f"end-point assessment {round_.overall_grade}",
        )
    # The provider, employer and apprentice hear of a result once it is released to them.
    outbox.queue_notification(
        "result_confirmed",
        occurrence=str(round_.pk),
        object_id=round_.pk,
        apprenticeship_id=apprenticeship.pk,
    )


@transaction.atomic
def release_result(
    *, round_: AssessmentRound, by: User, now: dt.datetime | None = None
) -> AssessmentRound:
    """Release a confirmed result that was held (moderation confirmed it): the provider
    and the apprentice see it from now, and a pass or better completes the apprenticeship.
    The caller has checked that `by` may release it."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    plan = plan_for(locked)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if not current.is_confirmed:
        raise EpaError("The assessor has not confirmed this result, so it cannot be released.")
    if current.is_released:
        raise EpaError("This result has already been released.")
    _release(locked, current, by=by, at=now or timezone.now(), plan_failing=failing_grade(plan))
    return current


@transaction.atomic
def return_result(*, round_: AssessmentRound, by: User, reason: str) -> AssessmentRound:
    """Send a held result back to the assessor (moderation did not confirm it): the
    confirmation is undone so they can look again, change grades and confirm once more.
    The caller has checked that `by` may return it; the reason goes in the history."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if not current.is_held:
        raise EpaError("Only a confirmed result that has not been released can be returned.")
    reason = reason.strip()
    if not reason:
        raise EpaError("Say why the result goes back to the assessor.")
    before = {"overall_grade": current.overall_grade, "grades": current.grades}
    current.grades = {}
    current.table_grade = current.cap_basis = ""
    current.cap_applied = False
    current.confirmed_grade = current.overall_grade = ""
    current.confirmed_at = None
    current.confirmed_by = None
    current.returned_reason = reason
    current.save(
        update_fields=[
            "returned_reason",
            "grades",
            "table_grade",
            "cap_applied",
            "cap_basis",
            "confirmed_grade",
            "overall_grade",
            "confirmed_at",
            "confirmed_by",
        ]
    )
    record_event(
        action=AuditAction.EPA_RESULT_RETURNED,
        obj=current,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Returned the result to the assessor: {reason}",
        before=before,
        after={"reason": reason},
    )
    return current


# -- resits and retakes ----------------------------------------------------------------


@transaction.atomic
def start_round(*, apprenticeship: Apprenticeship, by: User, kind: str) -> AssessmentRound:
    """A resit or retake after a confirmed fail. What it assesses again follows the
    assessment plan where it says, else the assessment organisation's policy for the
    standard (which the round keeps), else only the failed methods; the methods not
    assessed again carry over with their grades."""
    locked = lock_apprenticeship(apprenticeship)
    require_recorder(locked, by)
    plan = plan_for(locked)
    if kind not in (AssessmentRound.Kind.RESIT, AssessmentRound.Kind.RETAKE):
        raise EpaError("Choose a resit or a retake.")
    previous = latest_round(locked)
    if previous is None:
        raise EpaError(
            "The first attempt has not started yet. It starts when you record its first session."
        )
    if not previous.is_confirmed:
        raise EpaError(f"Confirm the result of the {previous.get_kind_display().lower()} first.")
    if not previous.is_released:
        raise EpaError(
            "The result is waiting for moderation. Start a resit or retake once it is released."
        )
    failing = failing_grade(plan)
    if previous.overall_grade != failing:
        raise EpaError("The apprentice passed the end-point assessment; there is nothing to resit.")
    if previous.appeals.filter(outcome=Appeal.Outcome.OPEN).exists():
        raise EpaError(
            "An appeal against this result is waiting for a decision. Start a resit or retake "
            "once it is decided."
        )
    failed_codes = [code for code, entry in previous.grades.items() if entry["grade"] == failing]
    if not failed_codes:
        raise EpaError("No method was failed, so there is nothing to resit or retake.")
    rules = next_resit_rules(locked, plan)
    methods = plan.methods.order_by("order")
    if rules.failed_only:
        methods = methods.filter(code__in=failed_codes)
    if not methods:
        raise EpaError("No method was failed, so there is nothing to resit or retake.")
    return create_round(
        apprenticeship=locked,
        by=by,
        number=previous.number + 1,
        kind=kind,
        methods=list(methods),
        resit_policy=rules.policy,
        scope_basis=rules.scope_basis,
    )


# -- the assessment organisation: exceptional circumstances and appeals ----------------


@transaction.atomic
def record_exceptional_circumstances(
    *, round_: AssessmentRound, by: User, reason: str, now: dt.datetime | None = None
) -> AssessmentRound:
    """The assessment organisation records exceptional circumstances for a resit or
    retake: its grade is then not capped."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    require_post_gateway(locked)
    plan = plan_for(locked)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if not current.is_resit_or_retake:
        raise EpaError(
            "Exceptional circumstances lift the cap on a resit or retake. This is the first "
            "attempt, which has no cap."
        )
    require_unlocked(current, plan)
    if current.has_exceptional_circumstances:
        raise EpaError("Exceptional circumstances are already recorded for this attempt.")
    reason = reason.strip()
    if not reason:
        raise EpaError("Say what the exceptional circumstances are.")
    current.exceptional_circumstances = reason
    current.exceptional_recorded_by = by
    current.exceptional_recorded_at = now or timezone.now()
    current.save(
        update_fields=[
            "exceptional_circumstances",
            "exceptional_recorded_by",
            "exceptional_recorded_at",
        ]
    )
    record_event(
        action=AuditAction.EPA_EXCEPTIONAL_CIRCUMSTANCES,
        obj=current,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Recorded exceptional circumstances for the {current.get_kind_display().lower()}",
        after={"reason": reason},
    )
    return current


@transaction.atomic
def record_appeal(*, round_: AssessmentRound, by: User, raised_by: str, reason: str) -> Appeal:
    """Record an appeal against a confirmed result (the latest one)."""
    locked = lock_apprenticeship(round_.apprenticeship_id)
    require_post_gateway(locked)
    current = AssessmentRound.objects.select_for_update().get(pk=round_.pk)
    if not current.is_released:
        raise EpaError("Only a confirmed result can be appealed, once it has been released.")
    if AssessmentRound.objects.filter(apprenticeship=locked, number__gt=current.number).exists():
        raise EpaError("A later attempt has started; only the latest result can be appealed.")
    if current.appeals.filter(outcome=Appeal.Outcome.OPEN).exists():
        raise EpaError("An appeal against this result is already waiting for a decision.")
    if raised_by not in Appeal.Party.values:
        raise EpaError("Say who is appealing.")
    reason = reason.strip()
    if not reason:
        raise EpaError("Say why they are appealing.")
    appeal = Appeal(
        round=current,
        raised_by=raised_by,
        reason=reason,
        recorded_by=by,
        grade_before=current.overall_grade,
    )
    appeal.full_clean()
    appeal.save()
    record_event(
        action=AuditAction.EPA_APPEAL_RECORDED,
        obj=appeal,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Recorded an appeal by {appeal.get_raised_by_display().lower()} against the "
        f"result ({current.overall_grade})",
        after={"raised_by": raised_by, "reason": reason, "grade_before": appeal.grade_before},
    )
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    appeal: Appeal,
    by: User,
    upheld: bool,
    grade_after: str,
    decision: str,
    now: dt.datetime | None = None,
) -> Appeal:
    """Record the decision on an appeal. An upheld appeal may change the overall grade
    (and so whether the apprenticeship is completed); one not upheld leaves it."""
    round_id = Appeal.objects.filter(pk=appeal.pk).values_list("round_id", flat=True).get()
    round_ = AssessmentRound.objects.get(pk=round_id)
    locked = lock_apprenticeship(round_.apprenticeship_id)
    plan = plan_for(locked)
    current = Appeal.objects.select_for_update().get(pk=appeal.pk)
    round_ = AssessmentRound.objects.select_for_update().get(pk=round_id)
    if not current.is_open:
        raise EpaError("This appeal has already been decided.")
    decision = decision.strip()
    if not decision:
        raise EpaError("Write the decision and the reasons for it.")
    if not upheld:
        if grade_after and grade_after != current.grade_before:
            raise EpaError("An appeal that is not upheld leaves the grade as it was.")
        grade_after = current.grade_before
    elif grade_after not in plan.overall_grades:
        raise EpaError(
            "Choose the overall grade after the appeal: " + ", ".join(plan.overall_grades) + "."
        )
    current.outcome = Appeal.Outcome.UPHELD if upheld else Appeal.Outcome.NOT_UPHELD
    current.grade_after = grade_after
    current.decision = decision
    current.decided_by = by
    current.decided_at = now or timezone.now()
    current.full_clean()
    current.save(update_fields=["outcome", "grade_after", "decision", "decided_by", "decided_at"])
    record_event(
        action=AuditAction.EPA_APPEAL_DECIDED,
        obj=current,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Appeal {current.get_outcome_display().lower()}: the overall grade is "
        f"{grade_after}"
        + (f" (was {current.grade_before})" if grade_after != current.grade_before else ""),
        before={"outcome": Appeal.Outcome.OPEN, "overall_grade": current.grade_before},
        after={"outcome": current.outcome, "overall_grade": grade_after, "decision": decision},
    )
    if grade_after != round_.overall_grade:
        round_.overall_grade = grade_after
        round_.save(update_fields=["overall_grade"])
        completed = grade_after != failing_grade(plan)
        set_status(
            locked,
            Apprenticeship.Status.COMPLETED if completed else Apprenticeship.Status.EPA,
            by,
            f"appeal upheld, end-point assessment {grade_after}",
        )
    outbox.queue_notification(
        "appeal_decided",
        occurrence=str(current.pk),
        object_id=current.pk,
        apprenticeship_id=locked.pk,
    )
    return current
