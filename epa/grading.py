"""Every grading rule of the assessment plan, as pure functions: the failing grade, the
overall grade from the plan's grade table, the cap on a resit or retake, a round's result
worked out from its method grades, and the end-point assessment window.

Nothing here runs a query or writes: callers pass in the rows they loaded. Nothing here
knows a standard either; every rule is read from the AssessmentPlan row."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from apprenticeship.funding_rules import add_months
from apprenticeship.models import Apprenticeship
from epa.errors import EpaError
from epa.models import AssessmentRound, MethodAssessment
from standards.models import AssessmentMethod, AssessmentPlan

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


def capped_grade(
    plan: AssessmentPlan, grade: str, *, resit_or_retake: bool, exceptional: bool
) -> tuple[str, bool]:
    """The grade after the plan's cap on resits and retakes, and whether the cap lowered
    it. No cap applies to a first attempt, when the plan has none, or when the assessment
    organisation recorded exceptional circumstances."""
    cap = plan.resit_grade_cap
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
    """The result the round gives now (no queries: pass what the caller loaded). A method
    this round does not assess carries its grade over from the previous round."""
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
    result = RoundResult(grades=grades, missing=[g.method.name for g in grades if not g.grade])
    if result.missing:
        return result
    result.table_grade = grade_from_table(plan, {g.method.code: g.grade for g in grades})
    result.overall, result.cap_applied = capped_grade(
        plan,
        result.table_grade,
        resit_or_retake=round_.is_resit_or_retake,
        exceptional=round_.has_exceptional_circumstances,
    )
    return result


# -- the window ------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period in which the plan expects the end-point assessment to be done."""

    start: dt.date
    end: dt.date
    months: int
    today: dt.date
    completed_on: dt.date | None = None

    @property
    def breached(self) -> bool:
        if self.completed_on is not None:
            return self.completed_on > self.end
        return self.today > self.end

    @property
    def days_left(self) -> int:
        return (self.end - self.today).days

    @property
    def days_over(self) -> int:
        return ((self.completed_on or self.today) - self.end).days

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and not self.breached


def epa_window(
    *,
    gateway_passed_at: dt.datetime | None,
    months: int | None,
    completed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Window | None:
    """Gateway plus the plan's window. None when gateway has no date or the plan has no
    window loaded."""
    if gateway_passed_at is None or not months:
        return None
    start = timezone.localdate(gateway_passed_at)
    return Window(
        start=start,
        end=add_months(start, months),
        months=months,
        today=today or timezone.localdate(),
        completed_on=completed_on,
    )


def completed_on(status: str, confirmed_at: dt.datetime | None) -> dt.date | None:
    """The day the assessment was completed: the day its latest result was confirmed, once
    the apprenticeship is completed."""
    if status != Apprenticeship.Status.COMPLETED or confirmed_at is None:
        return None
    return timezone.localdate(confirmed_at)


def assessment_window(
    plan: AssessmentPlan | None,
    *,
    gateway_passed_at: dt.datetime | None,
    status: str,
    latest_confirmed_at: dt.datetime | None,
    today: dt.date | None = None,
) -> Window | None:
    """One apprenticeship's window: the plan's months from gateway, closed on the day the
    latest result was confirmed if that completed the apprenticeship."""
    return epa_window(
        gateway_passed_at=gateway_passed_at,
        months=plan.epa_window_months if plan else None,
        completed_on=completed_on(status, latest_confirmed_at),
        today=today,
    )
