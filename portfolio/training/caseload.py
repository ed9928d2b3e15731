"""Off-the-job totals for lists (the tutor's caseload): required, logged, verified, expected
by today and the on-track state for each apprenticeship on a page, and for starts under the
2022-25 rules whether more than 4 weeks have passed with no training logged.

They come from the same rules and arithmetic as `selectors.otj_summary` (the funding rules
in Python, then `plan.total_figures`), so a list and the apprenticeship's own page always
agree, on PostgreSQL and on SQLite alike. The minutes logged and verified and the last day
of training are read from `OtjStanding`, which the log services keep from the entries
themselves: one row for each apprenticeship, however long its log. Five queries for the
whole page, however many apprenticeships or entries there are; the apprenticeships need
their standard version loaded (the caseload reads it once for its page).

From 1 August 2025 delivery may be uneven: the pace is judged against the tutor's schedule
(its monthly totals), and shown without a judgement where there is none.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, BreakInLearning
from apprenticeship.otj_minimum import minimums_in_force
from portfolio.training import plan as otj_plan
from portfolio.training.models import OtjPlan, OtjPlannedMonth, OtjStanding
from portfolio.training.plan import Figures, Gap
from portfolio.training.selectors import log_is_closed, requirement_for


@dataclass(frozen=True)
class OtjRow:
    total: Figures
    gap: Gap | None  # more than 4 weeks without training, still going on (2022-25 starts)


def otj_totals(
    apprenticeships: Iterable[Apprenticeship], *, today: dt.date | None = None
) -> dict[int, OtjRow]:
    """{apprenticeship id: its figures as of `today`} for the given apprenticeships."""
    today = today or timezone.localdate()
    rows = list(apprenticeships)
    ids = [a.pk for a in rows]
    plans = {p.apprenticeship_id: p for p in OtjPlan.objects.filter(apprenticeship_id__in=ids)}
    # What the log services keep (`OtjStanding`): one row for each apprenticeship, however
    # many entries it has.
    sums = {
        row["apprenticeship_id"]: row
        for row in OtjStanding.objects.filter(apprenticeship_id__in=ids).values(
            "apprenticeship_id", "logged", "verified", "last_training"
        )
    }
    # Per duty, as the apprenticeship page works it out (`selectors.scheduled_by_duty`):
    # each duty's share of the current month is rounded down on its own, so summing the
    # duties first would give a few minutes more than the page.
    schedules: dict[int, dict[int, list[tuple[dt.date, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for apprenticeship_id, duty_id, month, minutes in (
        OtjPlannedMonth.objects.filter(plan__apprenticeship_id__in=ids)
        .order_by()
        .values_list("plan__apprenticeship_id", "duty_id", "month")
        .annotate(minutes=Sum("minutes"))
    ):
        schedules[apprenticeship_id][duty_id].append((month, minutes))
    minimums = minimums_in_force(
        a for a in rows if funding_rules.otj_era(a.start_date) == funding_rules.OTJ_ERA_FROM_2025
    )
    minimums.update({a.pk: None for a in rows if a.pk not in minimums})
    spans: dict[int, list] = defaultdict(list)
    for apprenticeship_id, first, last in (
        BreakInLearning.objects.active()
        .filter(apprenticeship_id__in=ids)
        .order_by("start_date", "pk")
        .values_list("apprenticeship_id", "start_date", "end_date")
    ):
        spans[apprenticeship_id].append((first, last))
    totals = {}
    for apprenticeship in rows:
        plan = plans.get(apprenticeship.pk)
        required = otj_plan.required_after_prior_learning(
            requirement_for(apprenticeship, plan, minimums[apprenticeship.pk]).minutes,
            plan.prior_learning_minutes if plan else 0,
        )
        inputs = otj_plan.PlanInputs(
            required=required,
            start=apprenticeship.start_date,
            planned_end=apprenticeship.planned_end_date,
            today=today,
            spans=tuple(spans[apprenticeship.pk]),
            closed=bool(log_is_closed(apprenticeship)),
            uneven=funding_rules.otj_may_be_uneven(apprenticeship.start_date),
            scheduled=(
                (
                    sum(
                        otj_plan.expected_from_schedule(months, today=today)
                        for months in schedules[apprenticeship.pk].values()
                    ),
                )
                if apprenticeship.pk in schedules
                else None
            ),
        )
        sum_row: Mapping[str, Any] = sums.get(apprenticeship.pk, {})
        gap = None
        if not inputs.closed and (
            funding_rules.otj_era(apprenticeship.start_date) == funding_rules.OTJ_ERA_2022_TO_2025
        ):
            last = sum_row.get("last_training")
            gaps = otj_plan.learning_gaps(
                [last] if last else [],
                start=apprenticeship.start_date,
                today=today,
                spans=inputs.spans,
                longer_than=funding_rules.ACTIVE_LEARNING_DAYS,
            )
            gap = next((g for g in gaps if g.ongoing), None)
        totals[apprenticeship.pk] = OtjRow(
            total=otj_plan.total_figures(
                inputs,
                logged=sum_row.get("logged") or 0,
                verified=sum_row.get("verified") or 0,
            ),
            gap=gap,
        )
    return totals
