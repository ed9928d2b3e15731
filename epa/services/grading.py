"""The assessment plan's rules as pure functions: the overall grade from the plan's grade
table, the cap on a resit or retake, and the end-point assessment window. Nothing here
knows a standard; every rule is read from the AssessmentPlan row."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from apprenticeship.funding_rules import add_months
from epa.errors import EpaError
from standards.models import AssessmentPlan


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
