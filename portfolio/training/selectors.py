"""Off-the-job training: the figures every other area reads.

`otj_summary` is the one place the figures come from (the apprenticeship page, progress
reviews, the gateway checklist and the PDF report all call it); `caseload.py` gives the
totals for a page of apprenticeships with the same arithmetic; `export.py` writes the CSVs.
The changes live in `services/log.py` (entries and their verification) and
`services/planning.py` (the training plan and breaks in learning).

Race safety: every change that must see the apprenticeship's other entries or breaks (the
24-hours-a-day limit, no training during a break, no break over logged training) first
locks the apprenticeship row with `apprenticeship.services.lock_apprenticeship`, so two
saves at once are checked one after the other. Decisions lock the entry row, so two
verifiers at once give exactly one decision.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Q,
    Sum,
)
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, BreakInLearning
from apprenticeship.otj_minimum import MinimumInForce, minimum_in_force
from portfolio.training import plan as otj_plan
from portfolio.training.models import (
    NOT_COUNTED_ACTIVITIES,
    OtjAllocation,
    OtjEntry,
    OtjPlan,
    OtjPlannedMonth,
)
from portfolio.training.plan import Figures
from standards.models import Duty, Provenance, StandardVersion


def log_is_closed(
    apprenticeship: Apprenticeship, what: str = "the off-the-job log is closed"
) -> str:
    """Why nothing more can be logged ('' while the log is open)."""
    if apprenticeship.is_post_gateway:
        return f"This apprenticeship has passed gateway: {what}."
    if apprenticeship.status == Apprenticeship.Status.WITHDRAWN:
        return f"This apprenticeship has been withdrawn: {what}."
    return ""


BREAKS_CLOSED = "breaks in learning can no longer change"


def break_spans(apprenticeship_id: int, *, excluding: int | None = None) -> list:
    """(first day, last day or None) of each active break, oldest first."""
    breaks = BreakInLearning.objects.filter(apprenticeship_id=apprenticeship_id)
    if excluding is not None:
        breaks = breaks.exclude(pk=excluding)
    return breaks.spans()


def plan_row(apprenticeship: Apprenticeship) -> OtjPlan | None:
    return OtjPlan.objects.filter(apprenticeship=apprenticeship).first()


class Unset:
    """`requirement_for` was not given the minimum in force."""


UNSET = Unset()


def requirement_for(
    apprenticeship: Apprenticeship,
    plan: OtjPlan | None,
    minimum: MinimumInForce | None | Unset = UNSET,
) -> funding_rules.OtjRequirement:
    """The national rule's total for this enrolment, before prior learning. For starts from
    1 August 2025 it is the minimum in force (apprenticeship/otj_minimum.py), looked up
    unless the caller has it already."""
    if isinstance(minimum, Unset):
        from_2025 = (
            funding_rules.otj_era(apprenticeship.start_date) == funding_rules.OTJ_ERA_FROM_2025
        )
        minimum = minimum_in_force(apprenticeship) if from_2025 else None
    return funding_rules.required_otj(
        start_date=apprenticeship.start_date,
        planned_end_date=apprenticeship.planned_end_date,
        weekly_hours=apprenticeship.contracted_weekly_hours,
        leave_weeks_per_year=(
            plan.leave_weeks_per_year if plan else funding_rules.STATUTORY_LEAVE_WEEKS
        ),
        standard_minimum_hours=minimum.hours if minimum else None,
    )


# -- the figures -----------------------------------------------------------------------

# Sums over current entries: what counts (not rejected, not English and maths) and what of
# that has been verified. Every figure, for one apprenticeship or a list, sums these.
COUNTED = ~Q(status=OtjEntry.Status.REJECTED) & ~Q(activity_type__in=NOT_COUNTED_ACTIVITIES)
LOGGED_AND_VERIFIED = {
    "logged": Sum("minutes", filter=COUNTED),
    "verified": Sum("minutes", filter=COUNTED & Q(status=OtjEntry.Status.VERIFIED)),
}


class SplitSource:
    CUSTOM = "custom"  # the tutor's own split
    STANDARD = "standard"  # the standard's default weights (Duty.otj_weight)
    EQUAL = "equal"  # no weights loaded: shared equally


@dataclass(frozen=True)
class DutyLine:
    duty_id: int
    number: int
    code: str
    text: str
    figures: Figures
    retired: bool = False  # retired by a re-import of the standard: logged time still counts


@dataclass(frozen=True)
class OtjSummary:
    """Off-the-job figures for one apprenticeship, in minutes, as of `today`."""

    apprenticeship_id: int
    today: dt.date
    requirement: funding_rules.OtjRequirement  # the national rule, before prior learning
    leave_weeks_per_year: Decimal
    prior_learning_minutes: int
    prior_learning_reason: str
    total: Figures
    duties: list[DutyLine]
    not_counted_minutes: int  # English and maths study, logged but never counted
    rejected_minutes: int
    split_source: str
    split_provenance: str  # of the standard's default weights
    split_note: str
    split_needs_review: bool  # the tutor's split no longer adds up to the total
    breaks: list[BreakInLearning]
    current_break: tuple[dt.date, dt.date | None] | None
    planned_end: dt.date
    planned_end_with_breaks: dt.date
    closed: bool
    standard_version: StandardVersion
    funding_year: funding_rules.FundingYear
    # Starts under the 2022-25 rules need active learning at least every 4 weeks: the
    # stretches of more than 4 weeks with no training logged (empty for other starts).
    active_learning_rule: bool
    gaps: list[otj_plan.Gap]
    # From 1 August 2025 delivery may be uneven; `has_schedule` says whether the tutor has
    # planned the months, which is what the pace is then judged against.
    uneven: bool
    has_schedule: bool
    # For starts from 1 August 2025: the official minimum or the provider's interim one.
    minimum: MinimumInForce | None

    @property
    def current_gap(self) -> otj_plan.Gap | None:
        """A stretch of more than 4 weeks without training that is still going on."""
        return next((gap for gap in self.gaps if gap.ongoing and not self.closed), None)

    @property
    def required_known(self) -> bool:
        return self.total.required is not None

    @property
    def verified_complete(self) -> bool:
        """The required total is known and verified training reaches it (for gateway)."""
        return self.total.required is not None and self.total.verified >= self.total.required

    @property
    def verified_share(self) -> int:
        """Whole per cent of the required total verified so far (capped at 100)."""
        if not self.total.required:
            return 0
        return min(100, 100 * self.total.verified // self.total.required)

    @property
    def finishes_late(self) -> bool:
        finish = self.total.projection.finish
        return finish is not None and finish > self.planned_end_with_breaks


def otj_summary(apprenticeship: Apprenticeship, today: dt.date | None = None) -> OtjSummary:
    """Per duty and in total: required, logged, verified, expected by today, projected
    finish and on-track state. Totals are database aggregates; the query count is the same
    however many entries there are (four with the standard version already loaded, and
    one more for the tutor's own split when the plan has one)."""
    today = today or timezone.localdate()
    standard = apprenticeship.standard_version
    rows = (
        OtjEntry.objects.current()
        .filter(apprenticeship_id=apprenticeship.pk)
        .order_by()
        .values("duty_id")
        .annotate(
            # Named one by one, not splatted, so the type checker knows each row's keys.
            logged=LOGGED_AND_VERIFIED["logged"],
            verified=LOGGED_AND_VERIFIED["verified"],
            not_counted=Sum(
                "minutes",
                filter=Q(activity_type__in=NOT_COUNTED_ACTIVITIES)
                & ~Q(status=OtjEntry.Status.REJECTED),
            ),
            rejected=Sum("minutes", filter=Q(status=OtjEntry.Status.REJECTED)),
        )
    )
    by_duty = {row["duty_id"]: row for row in rows}
    # A duty retired by a re-import of the standard keeps the time logged against it (it
    # counts in the total) but needs none.
    duties = [
        d
        for d in Duty.objects.filter(standard_version_id=standard.pk).order_by("number", "pk")
        if not d.is_retired or d.pk in by_duty
    ]
    plan = plan_row(apprenticeship)
    breaks = list(BreakInLearning.objects.filter(apprenticeship_id=apprenticeship.pk).active())
    spans = tuple(b.span for b in breaks)

    minimum = (
        minimum_in_force(apprenticeship)
        if funding_rules.otj_era(apprenticeship.start_date) == funding_rules.OTJ_ERA_FROM_2025
        else None
    )
    requirement = requirement_for(apprenticeship, plan, minimum)
    prior = plan.prior_learning_minutes if plan else 0
    required = otj_plan.required_after_prior_learning(requirement.minutes, prior)
    closed = bool(log_is_closed(apprenticeship))

    current = [d for d in duties if not d.is_retired]
    weights: Sequence[Decimal | int | None]
    if plan is not None and plan.has_custom_split:
        source = SplitSource.CUSTOM
        # The tutor's own minutes per duty are read only when the plan uses them.
        allocations = {a.duty_id: a.minutes for a in OtjAllocation.objects.filter(plan=plan)}
        minutes = [0 if d.is_retired else allocations.get(d.pk, 0) for d in duties]
        weights, needs_review = minutes, required is not None and sum(minutes) != required
    elif any(d.otj_weight for d in current):
        source, needs_review = SplitSource.STANDARD, False
        weights = [0 if d.is_retired else d.otj_weight for d in duties]
    else:
        source, needs_review = SplitSource.EQUAL, False
        weights = [0 if d.is_retired else 1 for d in duties]
    first = current[0] if current else None
    duty_rows = [by_duty.get(d.pk) for d in duties]

    uneven = funding_rules.otj_may_be_uneven(apprenticeship.start_date)
    scheduled = scheduled_by_duty(plan, duties, today=today) if uneven else None
    inputs = otj_plan.PlanInputs(
        required=required,
        start=apprenticeship.start_date,
        planned_end=apprenticeship.planned_end_date,
        today=today,
        spans=spans,
        closed=closed,
        uneven=uneven,
        scheduled=scheduled,
    )
    total, lines = otj_plan.figures(
        inputs,
        weights=weights,
        logged=[(row["logged"] or 0) if row else 0 for row in duty_rows],
        verified=[(row["verified"] or 0) if row else 0 for row in duty_rows],
    )
    active_learning_rule = requirement.era == funding_rules.OTJ_ERA_2022_TO_2025
    gaps = (
        otj_plan.learning_gaps(
            OtjEntry.objects.counted()
            .filter(apprenticeship_id=apprenticeship.pk)
            .values_list("date", flat=True)
            .distinct(),
            start=apprenticeship.start_date,
            today=today,
            spans=spans,
            longer_than=funding_rules.ACTIVE_LEARNING_DAYS,
        )
        if active_learning_rule
        else []
    )
    return OtjSummary(
        apprenticeship_id=apprenticeship.pk,
        today=today,
        requirement=requirement,
        leave_weeks_per_year=(
            plan.leave_weeks_per_year if plan else funding_rules.STATUTORY_LEAVE_WEEKS
        ),
        prior_learning_minutes=prior,
        prior_learning_reason=plan.prior_learning_reason if plan else "",
        total=total,
        duties=[
            DutyLine(
                duty_id=d.pk,
                number=d.number,
                code=d.code_label,
                text=d.text,
                figures=line,
                retired=d.is_retired,
            )
            for d, line in zip(duties, lines, strict=True)
        ],
        not_counted_minutes=sum(row["not_counted"] or 0 for row in by_duty.values()),
        rejected_minutes=sum(row["rejected"] or 0 for row in by_duty.values()),
        split_source=source,
        split_provenance=first.otj_weight_provenance if first else Provenance.NOT_LOADED,
        split_note=first.otj_weight_note if first else "",
        split_needs_review=needs_review,
        breaks=breaks,
        current_break=funding_rules.on_break(spans, today=today),
        planned_end=apprenticeship.planned_end_date,
        planned_end_with_breaks=funding_rules.planned_end_with_breaks(
            apprenticeship.planned_end_date, spans, today=today
        ),
        closed=closed,
        standard_version=standard,
        funding_year=funding_rules.funding_year(apprenticeship.start_date),
        active_learning_rule=active_learning_rule,
        gaps=gaps,
        uneven=uneven,
        has_schedule=scheduled is not None,
        minimum=minimum,
    )


def schedule_rows(plan: OtjPlan | None) -> list[OtjPlannedMonth]:
    if plan is None:
        return []
    return list(OtjPlannedMonth.objects.filter(plan=plan).order_by("month", "duty__number"))


def scheduled_by_duty(
    plan: OtjPlan | None, duties: list[Duty], *, today: dt.date
) -> tuple[int, ...] | None:
    """Per duty, in the duties' order, the minutes the tutor's schedule plans by today;
    None when no schedule is planned."""
    rows = schedule_rows(plan)
    if not rows:
        return None
    return tuple(
        otj_plan.expected_from_schedule(
            ((row.month, row.minutes) for row in rows if row.duty_id == duty.pk), today=today
        )
        for duty in duties
    )


def even_schedule(
    summary: OtjSummary, *, start: dt.date, months: list[dt.date]
) -> dict[tuple[dt.date, int], int]:
    """A starting point for a schedule, in whole hours: the required total shared over the
    duties as planned and over the months by their days from the start to the planned end."""
    month_days = []
    for month in months:
        begin = max(month, start)
        finish = min(
            month.replace(day=otj_plan.month_days(month)),
            summary.planned_end - dt.timedelta(days=1),
        )
        month_days.append(max(0, (finish - begin).days + 1))
    cells = [(month, line.duty_id) for line in summary.duties for month in months]
    weights = [
        (line.figures.required or 0) * days for line in summary.duties for days in month_days
    ]
    hours = otj_plan.split_minutes(round((summary.total.required or 0) / 60), weights)
    return {cell: value * 60 for cell, value in zip(cells, hours, strict=True)}
