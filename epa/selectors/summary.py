"""The end-point assessment on the apprenticeship page and in the PDF report: where it has
got to, the assessor, the window and every confirmed result. No notes or method grades
beyond the confirmed ones: those stay on the assessor's record."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from epa.grading import Window, assessment_window, failing_grade
from epa.models import AssessmentRound, ConflictDeclaration
from epa.selectors.assessment import describe_state
from standards.models import AssessmentMethod, AssessmentPlan


@dataclass
class AssessmentSummary:
    state: str
    assessors: list[User]
    window: Window | None
    window_fact: dict
    results: list[AssessmentRound]
    plan_loaded: bool


def assessment_summary(
    apprenticeship: Apprenticeship, *, today: dt.date | None = None
) -> AssessmentSummary | None:
    """The end-point assessment part of the apprenticeship page: nothing before gateway,
    then the assessor, the window, where it has got to and every released result. No
    notes or method grades: those stay on the assessor's record."""
    if not apprenticeship.is_post_gateway:
        return None
    plan = AssessmentPlan.objects.filter(
        standard_version_id=apprenticeship.standard_version_id
    ).first()
    rounds = list(
        AssessmentRound.objects.filter(apprenticeship_id=apprenticeship.pk)
        .annotate(
            methods=Count("method_assessments"),
            graded=Count("method_assessments", filter=~Q(method_assessments__grade="")),
        )
        .order_by("number")
    )
    assessors = [
        m.user
        for m in Membership.objects.filter(
            apprenticeship_id=apprenticeship.pk, role=Role.ASSESSOR, is_active=True
        ).select_related("user")
    ]
    declared = ConflictDeclaration.objects.filter(
        apprenticeship_id=apprenticeship.pk, assessor__in=assessors
    ).count()
    latest = rounds[-1] if rounds else None
    return AssessmentSummary(
        state=describe_state(
            status=apprenticeship.status,
            assessors=len(assessors),
            declared=declared,
            round_kind=latest.kind if latest else None,
            round_confirmed=bool(latest and latest.is_confirmed),
            overall=latest.overall_grade if latest else "",
            graded=latest.graded if latest else 0,
            methods=latest.methods if latest else 0,
            failing=failing_grade(plan) if plan else None,
            held=bool(latest and latest.is_held),
        ),
        assessors=assessors,
        window=assessment_window(
            plan,
            gateway_passed_at=apprenticeship.gateway_passed_at,
            status=apprenticeship.status,
            latest_confirmed_at=latest.confirmed_at if latest else None,
            today=today,
        ),
        window_fact=plan.fact("epaWindowMonths") if plan else {},
        # A result held for moderation is not shown until it is released.
        results=[r for r in rounds if r.is_released],
        plan_loaded=plan is not None,
    )


def results_data(apprenticeship: Apprenticeship) -> list[dict]:
    """Every released result, as plain data for the PDF report: the grade of each method
    (by the plan's method names), the overall grade the table gave, whether the resit
    cap lowered it, the grade confirmed and the grade now (after any appeal). No notes."""
    names = dict(
        AssessmentMethod.objects.filter(
            plan__standard_version_id=apprenticeship.standard_version_id
        ).values_list("code", "name")
    )
    rounds = (
        AssessmentRound.objects.filter(apprenticeship=apprenticeship, released_at__isnull=False)
        .select_related("confirmed_by")
        .order_by("number")
    )
    return [
        {
            "number": r.number,
            "kind": r.get_kind_display(),
            "methods": [
                {"code": code, "name": names.get(code, code), "grade": grade["grade"]}
                for code, grade in sorted(r.grades.items())
            ],
            "table_grade": r.table_grade,
            "cap_applied": r.cap_applied,
            "exceptional_circumstances": r.has_exceptional_circumstances,
            "confirmed_grade": r.confirmed_grade,
            "overall_grade": r.overall_grade,
            "confirmed_at": r.confirmed_at,
            "confirmed_by": r.confirmed_by.full_name if r.confirmed_by else "",
        }
        for r in rounds
    ]
