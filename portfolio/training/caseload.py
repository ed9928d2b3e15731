"""Off-the-job totals for lists (the tutor's caseload): required, logged, verified, expected
by today and the on-track state for each apprenticeship on a page.

They come from the same rules and arithmetic as `selectors.otj_summary` (the funding rules
in Python, then `plan.total_figures`), so a list and the apprenticeship's own page always
agree, on PostgreSQL and on SQLite alike. Three queries for the whole page, however many
apprenticeships or entries there are; the apprenticeships need their standard version
loaded (`with_people()` does that).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from apprenticeship.models import Apprenticeship, BreakInLearning
from portfolio.training import plan as otj_plan
from portfolio.training.models import OtjEntry, OtjPlan
from portfolio.training.plan import Figures
from portfolio.training.selectors import LOGGED_AND_VERIFIED, log_is_closed, requirement_for


def otj_totals(
    apprenticeships: Iterable[Apprenticeship], *, today: dt.date | None = None
) -> dict[int, Figures]:
    """{apprenticeship id: its total figures as of `today`} for the given apprenticeships."""
    today = today or timezone.localdate()
    rows = list(apprenticeships)
    ids = [a.pk for a in rows]
    plans = {p.apprenticeship_id: p for p in OtjPlan.objects.filter(apprenticeship_id__in=ids)}
    sums = {
        row["apprenticeship_id"]: row
        for row in OtjEntry.objects.current()
        .filter(apprenticeship_id__in=ids)
        .order_by()
        .values("apprenticeship_id")
        .annotate(**LOGGED_AND_VERIFIED)
    }
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
            requirement_for(apprenticeship, plan).minutes,
            plan.prior_learning_minutes if plan else 0,
        )
        inputs = otj_plan.PlanInputs(
            required=required,
            start=apprenticeship.start_date,
            planned_end=apprenticeship.planned_end_date,
            today=today,
            spans=tuple(spans[apprenticeship.pk]),
            closed=bool(log_is_closed(apprenticeship)),
        )
        sum_row = sums.get(apprenticeship.pk, {})
        totals[apprenticeship.pk] = otj_plan.total_figures(
            inputs,
            logged=sum_row.get("logged") or 0,
            verified=sum_row.get("verified") or 0,
        )
    return totals
