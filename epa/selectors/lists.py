"""The assessor's and the assessment organisation's lists: the end-point assessment
columns as annotations, then plain rows for a page of them, so the page's query count does
not grow with the list."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from apprenticeship.models import Apprenticeship, Membership, Role
from config.db import count_of
from epa.grading import Window, assessment_window, failing_grade
from epa.models import AssessmentRound, ConflictDeclaration, MethodAssessment
from epa.selectors.assessment import describe_state, plan_of
from portfolio.wellbeing.models import ReasonableAdjustment


def annotate_epa_list(apprenticeships: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """The end-point assessment columns as annotations: the latest round, how many of its
    methods are graded, and how many assigned assessors have declared no conflict.
    Sorted with the window that ends soonest first and completed apprentices last."""
    rounds = AssessmentRound.objects.filter(apprenticeship=OuterRef("pk")).order_by("-number")
    still_assigned = Membership.objects.filter(
        apprenticeship=OuterRef(OuterRef("pk")),
        user=OuterRef("assessor"),
        role=Role.ASSESSOR,
        is_active=True,
    )
    declared = ConflictDeclaration.objects.filter(apprenticeship=OuterRef("pk")).filter(
        Exists(still_assigned)
    )
    return (
        apprenticeships.select_related("standard_version__assessment_plan")
        .annotate(
            epa_round_id=Subquery(rounds.values("pk")[:1]),
            epa_round_kind=Subquery(rounds.values("kind")[:1]),
            epa_confirmed_at=Subquery(rounds.values("confirmed_at")[:1]),
            epa_released_at=Subquery(rounds.values("released_at")[:1]),
            epa_overall=Subquery(rounds.values("overall_grade")[:1]),
            epa_declared=count_of(declared),
            epa_done=Case(
                When(status=Apprenticeship.Status.COMPLETED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            epa_methods=count_of(
                MethodAssessment.objects.filter(round_id=OuterRef("epa_round_id"))
            ),
            epa_graded=count_of(
                MethodAssessment.objects.filter(round_id=OuterRef("epa_round_id")).exclude(grade="")
            ),
        )
        .order_by(
            "epa_done", F("gateway_passed_at").asc(nulls_last=True), "apprentice__full_name", "pk"
        )
    )


@dataclass
class EpaRow:
    apprenticeship: Apprenticeship
    state: str
    window: Window | None


def with_adjustments_to_decide(
    apprenticeships: QuerySet[Apprenticeship],
) -> QuerySet[Apprenticeship]:
    """For the assessment organisation's admin: how many assessment adjustment requests,
    passed with the gateway, wait for its decision (an annotation, no query per row)."""
    waiting = ReasonableAdjustment.objects.filter(
        apprenticeship=OuterRef("pk"),
        area=ReasonableAdjustment.Area.ASSESSMENT,
        status=ReasonableAdjustment.Status.PASSED,
    )
    return apprenticeships.annotate(adjustments_to_decide=count_of(waiting))


def epa_rows(apprenticeships, *, today: dt.date | None = None) -> list[EpaRow]:
    """Rows for a page of `annotate_epa_list()` (and `with_people()`): no queries."""
    rows = []
    for a in apprenticeships:
        plan = plan_of(a.standard_version)
        rows.append(
            EpaRow(
                apprenticeship=a,
                state=describe_state(
                    status=a.status,
                    assessors=len(a.assessors),
                    declared=a.epa_declared,
                    round_kind=a.epa_round_kind,
                    round_confirmed=a.epa_confirmed_at is not None,
                    overall=a.epa_overall or "",
                    graded=a.epa_graded,
                    methods=a.epa_methods,
                    failing=failing_grade(plan) if plan else None,
                    held=a.epa_confirmed_at is not None and a.epa_released_at is None,
                ),
                window=assessment_window(
                    plan,
                    gateway_passed_at=a.gateway_passed_at,
                    status=a.status,
                    latest_confirmed_at=a.epa_confirmed_at,
                    today=today,
                ),
            )
        )
    return rows
