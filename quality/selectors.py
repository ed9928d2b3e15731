"""Reads for the quality pages."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from apprenticeship.access import Action, is_allowed
from apprenticeship.models import Apprenticeship
from epa.grading import failing_grade
from epa.selectors.assessment import plan_of
from portfolio.wellbeing.access import agreed_for_assessment
from portfolio.wellbeing.models import ReasonableAdjustment
from quality.models import AssessmentBooking, ModerationCase, ModerationDecision


def moderation_list(cases: QuerySet[ModerationCase]) -> QuerySet[ModerationCase]:
    """Sampled results, those waiting for a moderator first, oldest first; results not
    picked are left out (they were released at once)."""
    return (
        cases.exclude(status=ModerationCase.Status.NOT_SELECTED)
        .select_related(
            "apprenticeship__apprentice",
            "apprenticeship__standard_version",
            "decided_by",
        )
        .annotate(
            waiting_first=Case(
                When(status=ModerationCase.Status.WAITING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_first", "sampled_at", "pk")
    )


def decisions_of(case: ModerationCase) -> list[ModerationDecision]:
    return list(case.decisions.select_related("decided_by").order_by("decided_at", "pk"))


def failing_grade_of(apprenticeship: Apprenticeship) -> str:
    plan = plan_of(apprenticeship.standard_version)
    return failing_grade(plan) if plan else ""


def bookings_of(apprenticeship: Apprenticeship) -> list[AssessmentBooking]:
    """The apprenticeship's booked sessions with their rearrange requests, soonest first
    (a fixed number of queries)."""
    return list(
        AssessmentBooking.objects.filter(apprenticeship=apprenticeship)
        .select_related("method", "assessor")
        .prefetch_related("rearrange_requests__requested_by")
        .order_by("starts_at", "pk")
    )


def booking_adjustments_of(apprenticeship: Apprenticeship) -> list[ReasonableAdjustment]:
    """The assessment adjustments the assessment organisation agreed, for the booking page,
    when its viewer is one who sees them there (apprenticeship/access.py); otherwise none,
    at no query."""
    if not is_allowed(apprenticeship.viewer_roles, Action.VIEW_BOOKING_ADJUSTMENTS):
        return []
    return list(agreed_for_assessment(apprenticeship).order_by("decided_at", "pk"))
