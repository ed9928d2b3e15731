"""Every grading rule of the assessment plan, as pure functions: the failing grade, the
overall grade from the plan's grade table, the rules for a resit or retake (the cap and
what is assessed again, from the plan or else the assessment organisation's policy), a
round's result worked out from its method grades, and the end-point assessment period.

Nothing here runs a query or writes: callers pass in the rows they loaded (a round with
its `resit_policy`, and the policy with its `epao` and `recorded_by`). Nothing here knows a
standard either; every rule is read from the AssessmentPlan row."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from apprenticeship.funding_rules import add_months
from apprenticeship.models import Apprenticeship
from epa.errors import EpaError
from epa.models import AssessmentRound, MethodAssessment, ResitPolicy
from standards.models import AssessmentMethod, AssessmentPlan, ResitScope

# -- grades ----------------------------------------------------------------------------


def failing_grade(plan: AssessmentPlan) -> str:
    """The plan's lowest grade (its overall grades are listed lowest first)."""
    return plan.overall_grades[0]


def grade_from_table(plan: AssessmentPlan, grades: Mapping[str, str]) -> str:
    """The overall grade the plan's table gives for these method grades ({code: grade})."""
    wanted = dict(grades)
    for row in plan.grade_table:
        if row["grades"] == wanted:
            return row["overall"]
    listed = ", ".join(f"{code} {grade}" for code, grade in sorted(wanted.items()))
    raise EpaError(
        f"The assessment plan's grade table has no overall grade for {listed}. "
        "Ask the training provider to check the standard's assessment plan data."
    )


# Where a resit rule comes from.
FROM_PLAN, FROM_EPAO, NOT_STATED = "plan", "epao", "none"


@dataclass(frozen=True)
class ResitRules:
    """What applies to a resit or retake, and whose rule it is: the assessment plan's
    where its data states the rule with a source; else the assessment organisation's
    recorded policy; else nothing. With nothing stated there is no cap, and only the
    failed methods are assessed again, and the words say that no rule was stated."""

    cap: str  # "" means no cap
    cap_from: str
    scope: str  # a ResitScope value
    scope_from: str
    policy: ResitPolicy | None
    cap_fact: dict
    scope_fact: dict

    @property
    def failed_only(self) -> bool:
        return self.scope == ResitScope.FAILED

    @property
    def uses_policy(self) -> bool:
        return FROM_EPAO in (self.cap_from, self.scope_from)

    def _policy_words(self) -> str:
        policy = self.policy
        if policy is None:  # only called when a rule comes from the policy
            return ""
        return (
            f"{policy.epao.name}'s policy \u201c{policy.name}\u201d, recorded by "
            f"{policy.recorded_by.full_name} on {timezone.localtime(policy.recorded_at):%-d %B %Y}"
        )

    @property
    def cap_basis(self) -> str:
        """Where the cap comes from, in words."""
        if self.cap_from == FROM_PLAN:
            source = self.cap_fact.get("source", "")
            where = f" ({source})" if source else ""
            if not self.cap:
                return f"The assessment plan sets no cap on a resit or retake{where}."
            return f"The assessment plan caps a resit or retake at {self.cap}{where}."
        if self.cap_from == FROM_EPAO:
            if not self.cap:
                return f"No cap: {self._policy_words()}."
            return f"Capped at {self.cap} by {self._policy_words()}."
        return (
            "No cap: the assessment plan states none, and the assessment organisation has "
            "not recorded a policy of its own."
        )

    @property
    def scope_basis(self) -> str:
        """What a resit assesses again and whose rule that is, in words."""
        what = ResitScope(self.scope).label
        if self.scope_from == FROM_PLAN:
            return f"{what}: the assessment plan says so."
        if self.scope_from == FROM_EPAO:
            return f"{what}: {self._policy_words()}."
        return (
            f"{what}. Neither the assessment plan nor the assessment organisation states "
            "this; it is what this app does until the organisation records its policy."
        )


def resit_rules(plan: AssessmentPlan, policy: ResitPolicy | None) -> ResitRules:
    """The rules for a resit or retake under this plan and the assessment organisation's
    policy (None when it has recorded none). A plan's rule applies only when its data
    states it with a source: a cap that is inferred or not loaded is never applied."""
    if plan.states("resitGradeCap"):
        cap, cap_from = plan.resit_grade_cap, FROM_PLAN
    elif policy is not None:
        cap, cap_from = policy.grade_cap, FROM_EPAO
    else:
        cap, cap_from = "", NOT_STATED
    if plan.resit_scope and plan.states("resitScope"):
        scope, scope_from = plan.resit_scope, FROM_PLAN
    elif policy is not None:
        scope, scope_from = policy.scope, FROM_EPAO
    else:
        scope, scope_from = ResitScope.FAILED, NOT_STATED
    if cap and cap not in plan.overall_grades:
        # A policy recorded for another version of the grades: no cap can be read from it.
        cap = ""
    return ResitRules(
        cap=cap,
        cap_from=cap_from,
        scope=scope,
        scope_from=scope_from,
        policy=policy if FROM_EPAO in (cap_from, scope_from) else None,
        cap_fact=plan.fact("resitGradeCap"),
        scope_fact=plan.fact("resitScope"),
    )


def capped_grade(
    plan: AssessmentPlan, grade: str, *, cap: str, resit_or_retake: bool, exceptional: bool
) -> tuple[str, bool]:
    """The grade after the cap on resits and retakes (`cap`, from `resit_rules`), and
    whether the cap lowered it. No cap applies to a first attempt, when there is none, or
    when the assessment organisation recorded exceptional circumstances."""
    if not resit_or_retake or exceptional or not cap:
        return grade, False
    if plan.grade_rank(grade) > plan.grade_rank(cap):
        return cap, True
    return grade, False


# -- the result of a round -------------------------------------------------------------


@dataclass
class MethodGrade:
    method: AssessmentMethod
    grade: str  # "" while not graded
    round_number: int  # the round the grade comes from
    carried_over: bool


@dataclass
class RoundResult:
    """The overall grade of a round, worked out from the plan: the method grades (this
    round's and those carried over), the table's grade and the cap."""

    grades: list[MethodGrade]
    table_grade: str = ""
    overall: str = ""
    cap_applied: bool = False
    missing: list[str] = field(default_factory=list)
    rules: ResitRules | None = None  # for a resit or retake

    @property
    def complete(self) -> bool:
        return not self.missing


def round_result(
    round_: AssessmentRound,
    plan: AssessmentPlan,
    methods: list[AssessmentMethod],
    assessments: list[MethodAssessment],
    previous: AssessmentRound | None,
) -> RoundResult:
    """The result the round gives now (no queries: pass what the caller loaded, the round
    with its `resit_policy`). A method this round does not assess carries its grade over
    from the previous round."""
    own = {a.method_id: a for a in assessments}
    carried = previous.grades if previous is not None else {}
    grades = []
    for method in methods:
        if method.pk in own:
            grades.append(MethodGrade(method, own[method.pk].grade, round_.number, False))
        elif method.code in carried:
            entry = carried[method.code]
            grades.append(MethodGrade(method, entry["grade"], entry["round"], True))
        else:
            grades.append(MethodGrade(method, "", round_.number, False))
    rules = (
        resit_rules(plan, round_.resit_policy if round_.resit_policy_id else None)
        if round_.is_resit_or_retake
        else None
    )
    result = RoundResult(
        grades=grades, missing=[g.method.name for g in grades if not g.grade], rules=rules
    )
    if result.missing:
        return result
    result.table_grade = grade_from_table(plan, {g.method.code: g.grade for g in grades})
    result.overall, result.cap_applied = capped_grade(
        plan,
        result.table_grade,
        cap=rules.cap if rules else "",
        resit_or_retake=round_.is_resit_or_retake,
        exceptional=round_.has_exceptional_circumstances,
    )
    return result


# -- the end-point assessment period ----------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period after gateway in which the plan expects the end-point assessment. A
    deadline only when the plan publishes it as a maximum (`is_maximum`); otherwise the
    typical period, which is guidance: going past it is said, never flagged as a breach."""

    start: dt.date
    end: dt.date
    months: int
    today: dt.date
    completed_on: dt.date | None = None
    is_maximum: bool = False

    @property
    def day(self) -> int:
        """Days since gateway: today's, or the day the assessment was completed."""
        return ((self.completed_on or self.today) - self.start).days

    @property
    def past_end(self) -> bool:
        return (self.completed_on or self.today) > self.end

    @property
    def breached(self) -> bool:
        """Past a published maximum. A typical period is never breached."""
        return self.is_maximum and self.past_end

    @property
    def beyond_typical(self) -> bool:
        """Past the typical period (guidance only)."""
        return not self.is_maximum and self.past_end

    @property
    def days_left(self) -> int:
        return (self.end - self.today).days

    @property
    def days_over(self) -> int:
        return ((self.completed_on or self.today) - self.end).days

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and not self.past_end


def epa_window(
    *,
    gateway_passed_at: dt.datetime | None,
    months: int | None,
    completed_on: dt.date | None = None,
    today: dt.date | None = None,
    is_maximum: bool = False,
) -> Window | None:
    """Gateway plus the plan's period. None when gateway has no date or the plan has no
    period loaded."""
    if gateway_passed_at is None or not months:
        return None
    start = timezone.localdate(gateway_passed_at)
    return Window(
        start=start,
        end=add_months(start, months),
        months=months,
        today=today or timezone.localdate(),
        completed_on=completed_on,
        is_maximum=is_maximum,
    )


def completed_on(status: str, confirmed_at: dt.datetime | None) -> dt.date | None:
    """The day the assessment was completed: the day its latest result was confirmed, once
    the apprenticeship is completed."""
    if status != Apprenticeship.Status.COMPLETED or confirmed_at is None:
        return None
    return timezone.localdate(confirmed_at)


def window_is_maximum(plan: AssessmentPlan | None) -> bool:
    """Whether the plan publishes its period as a maximum: only when its data says so with
    a source."""
    return bool(plan and plan.epa_window_is_maximum and plan.states("epaWindowIsMaximum"))


def assessment_window(
    plan: AssessmentPlan | None,
    *,
    gateway_passed_at: dt.datetime | None,
    status: str,
    latest_confirmed_at: dt.datetime | None,
    today: dt.date | None = None,
) -> Window | None:
    """One apprenticeship's period: the plan's months from gateway, closed on the day the
    latest result was confirmed if that completed the apprenticeship."""
    return epa_window(
        gateway_passed_at=gateway_passed_at,
        months=plan.epa_window_months if plan else None,
        completed_on=completed_on(status, latest_confirmed_at),
        today=today,
        is_maximum=window_is_maximum(plan),
    )
