"""Moderation at the assessment organisation: its policy and moderators, the sampling
decision made as the assessor confirms a result (a hold registered with epa/release.py),
and the moderator's decision, which releases the result or returns it to the assessor.

Every change is in the append-only history. The moderator is never the result's assessor
(apprenticeship/separation.py) nor the person who confirmed it.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Organisation, OrganisationMembership
from apprenticeship.separation import moderation_conflicts
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa.errors import EpaError
from epa.models import AssessmentRound
from epa.selectors.assessment import plan_for
from epa.services import results
from quality import sampling
from quality.errors import QualityError
from quality.models import ModerationCase, ModerationDecision, ModerationPolicy

# -- the assessment organisation's policy and moderators -------------------------------


@transaction.atomic
def set_moderation_policy(
    *,
    epao: Organisation,
    by: User,
    is_active: bool,
    all_highest: bool,
    all_fails: bool,
    pass_percent: int,
    now: dt.datetime | None = None,
) -> ModerationPolicy:
    """Record the organisation's moderation rule. The seed is made once, with the first
    policy, and kept, so earlier samples can still be worked out again."""
    if not 0 <= pass_percent <= 100:
        raise QualityError("The share of other results must be between 0 and 100 per cent.")
    policy = ModerationPolicy.objects.select_for_update().filter(epao=epao).first()
    before = (
        {
            "is_active": policy.is_active,
            "all_highest": policy.all_highest,
            "all_fails": policy.all_fails,
            "pass_percent": policy.pass_percent,
        }
        if policy
        else {}
    )
    if policy is None:
        policy = ModerationPolicy(epao=epao, seed=sampling.new_seed(), updated_by=by)
    policy.is_active = is_active
    policy.all_highest = all_highest
    policy.all_fails = all_fails
    policy.pass_percent = pass_percent
    policy.updated_by = by
    policy.updated_at = now or timezone.now()
    policy.full_clean()
    policy.save()
    after = {
        "is_active": is_active,
        "all_highest": all_highest,
        "all_fails": all_fails,
        "pass_percent": pass_percent,
        "seed": policy.seed,
    }
    record_event(
        action=AuditAction.MODERATION_POLICY_SET,
        obj=policy,
        actor=by,
        summary=(
            f"Moderation before release: {'on' if is_active else 'off'}"
            + (f", {pass_percent}% of other results sampled" if is_active else "")
        ),
        before=before,
        after=after,
    )
    return policy


@transaction.atomic
def name_moderators(*, epao: Organisation, by: User, user_ids: list[int]) -> list[str]:
    """Make exactly these people (who work for the organisation now) its moderators.
    Returns the names of everyone whose role changed."""
    rows = list(
        OrganisationMembership.objects.select_for_update()
        .filter(organisation=epao, is_active=True)
        .select_related("user")
    )
    wanted = set(user_ids)
    unknown = wanted - {row.user_id for row in rows}
    if unknown:
        raise QualityError("Choose moderators from the people who work for the organisation.")
    changed = []
    for row in rows:
        should = row.user_id in wanted
        if row.is_moderator != should:
            row.is_moderator = should
            row.save(update_fields=["is_moderator"])
            changed.append(row.user.full_name or row.user.email)
            record_event(
                action=AuditAction.MODERATORS_NAMED,
                obj=row,
                actor=by,
                summary=(
                    f"{row.user.full_name or row.user.email} "
                    + ("named a moderator" if should else "is no longer a moderator")
                ),
                before={"is_moderator": not should},
                after={"is_moderator": should},
            )
    return changed


# -- the sample ------------------------------------------------------------------------


def sampling_reason(
    *, grade: str, overall_grades: list[str], policy: ModerationPolicy, round_id: int
) -> tuple[str, Decimal | None, int | None]:
    """(reason, draw or None, share or None) for a result with `grade` under `policy`.
    Pure: the same policy seed and round always give the same answer."""
    failing = overall_grades[0]
    highest = overall_grades[-1] if len(overall_grades) > 2 else None
    if grade == failing and policy.all_fails:
        return ModerationCase.Reason.FAIL, None, None
    if highest is not None and grade == highest and policy.all_highest:
        return ModerationCase.Reason.HIGHEST, None, None
    value = sampling.draw(policy.seed, "round", round_id)
    reason = (
        ModerationCase.Reason.SAMPLED
        if sampling.picked(value, policy.pass_percent)
        else ModerationCase.Reason.NOT_SAMPLED
    )
    return reason, value, policy.pass_percent


def hold_for_moderation(round_: AssessmentRound, now: dt.datetime) -> bool:
    """The hold epa/release.py calls as a result is confirmed (inside that transaction).
    Records the sampling decision the first time; a result returned to the assessor and
    confirmed again always waits for a moderator again. True when it must wait."""
    case = ModerationCase.objects.select_for_update().filter(round_id=round_.pk).first()
    apprenticeship = round_.apprenticeship
    if case is not None:
        if case.status != ModerationCase.Status.RETURNED:
            return False
        case.status = ModerationCase.Status.WAITING
        case.grade = round_.overall_grade
        case.save(update_fields=["status", "grade"])
        record_event(
            action=AuditAction.MODERATION_SAMPLED,
            obj=case,
            apprenticeship_id=apprenticeship.pk,
            actor_label="Moderation",
            summary="The result confirmed again after it was returned waits for a moderator",
            after={"grade": case.grade},
        )
        return True
    if apprenticeship.epao_id is None:
        return False
    policy = ModerationPolicy.objects.filter(epao_id=apprenticeship.epao_id).first()
    if policy is None or not policy.is_active:
        return False
    plan = plan_for(apprenticeship)
    reason, value, share = sampling_reason(
        grade=round_.overall_grade,
        overall_grades=list(plan.overall_grades),
        policy=policy,
        round_id=round_.pk,
    )
    selected = reason != ModerationCase.Reason.NOT_SAMPLED
    case = ModerationCase(
        round=round_,
        apprenticeship=apprenticeship,
        epao_id=apprenticeship.epao_id,
        grade=round_.overall_grade,
        reason=reason,
        seed=policy.seed,
        draw=value,
        pass_percent=share,
        status=ModerationCase.Status.WAITING if selected else ModerationCase.Status.NOT_SELECTED,
        sampled_at=now,
    )
    case.full_clean()
    case.save()
    record_event(
        action=AuditAction.MODERATION_SAMPLED,
        obj=case,
        apprenticeship_id=apprenticeship.pk,
        actor_label="Moderation",
        summary=f"{case.get_reason_display()}: "
        + ("the result waits for a moderator" if selected else "released at once"),
        after={
            "grade": case.grade,
            "reason": reason,
            "seed": policy.seed,
            "draw": str(value) if value is not None else None,
            "pass_percent": share,
        },
    )
    return selected


# -- the moderator's decision ----------------------------------------------------------


def moderator_problems(case: ModerationCase, user: User) -> list[str]:
    """Why `user` may not decide this case now (empty when they may)."""
    problems = []
    if not OrganisationMembership.objects.filter(
        user=user, organisation_id=case.epao_id, is_active=True, is_moderator=True
    ).exists():
        problems.append(
            f"{user.full_name or user.email} is not a moderator at the assessment organisation."
        )
    problems += moderation_conflicts(case.apprenticeship, user)
    if case.round.confirmed_by_id == user.pk:
        problems.append("You confirmed this result, so someone else must moderate it.")
    return problems


def _decide(case: ModerationCase, by: User, outcome: str, reason: str, now: dt.datetime):
    # The apprenticeship's lock first, as every assessment service takes it.
    lock_apprenticeship(case.apprenticeship_id)
    current = (
        ModerationCase.objects.select_for_update()
        .select_related("apprenticeship", "round")
        .get(pk=case.pk)
    )
    if not current.is_waiting:
        raise QualityError("This result is not waiting for moderation.")
    problems = moderator_problems(current, by)
    if problems:
        raise QualityError("Nothing was recorded. " + " ".join(problems))
    decision = ModerationDecision(
        case=current,
        outcome=outcome,
        grade=current.round.overall_grade,
        reason=reason,
        decided_by=by,
        decided_at=now,
    )
    decision.full_clean()
    decision.save()
    current.status = (
        ModerationCase.Status.CONFIRMED
        if outcome == ModerationDecision.Outcome.CONFIRMED
        else ModerationCase.Status.RETURNED
    )
    current.decided_by = by
    current.decided_at = now
    current.save(update_fields=["status", "decided_by", "decided_at"])
    return current, decision


@transaction.atomic
def confirm_moderation(
    *, case: ModerationCase, by: User, note: str = "", now: dt.datetime | None = None
) -> ModerationCase:
    """The moderator agrees with the result: it is released to the training provider and
    the apprentice, and a pass or better completes the apprenticeship."""
    now = now or timezone.now()
    current, decision = _decide(case, by, ModerationDecision.Outcome.CONFIRMED, note.strip(), now)
    try:
        results.release_result(round_=current.round, by=by, now=now)
    except EpaError as error:
        raise QualityError(str(error)) from error
    record_event(
        action=AuditAction.MODERATION_CONFIRMED,
        obj=current,
        actor=by,
        apprenticeship_id=current.apprenticeship_id,
        summary=f"Moderation confirmed the result ({decision.grade}); it is released",
        after={"grade": decision.grade, "note": decision.reason},
    )
    return current


@transaction.atomic
def return_to_assessor(
    *, case: ModerationCase, by: User, reason: str, now: dt.datetime | None = None
) -> ModerationCase:
    """The moderator sends the result back to the assessor with the reason: the assessor
    can change it and confirm it again, and it then waits for moderation again."""
    reason = reason.strip()
    if not reason:
        raise QualityError("Say why the result goes back to the assessor.")
    now = now or timezone.now()
    current, decision = _decide(case, by, ModerationDecision.Outcome.RETURNED, reason, now)
    try:
        results.return_result(round_=current.round, by=by, reason=reason)
    except EpaError as error:
        raise QualityError(str(error)) from error
    record_event(
        action=AuditAction.MODERATION_RETURNED,
        obj=current,
        actor=by,
        apprenticeship_id=current.apprenticeship_id,
        summary=f"Moderation returned the result ({decision.grade}) to the assessor: {reason}",
        after={"grade": decision.grade, "reason": reason},
    )
    return current
