"""National apprenticeship funding rules that depend on the start date.

These are England's rules, not any one standard's: they live in code. Facts about a
standard (its published off-the-job minimum, say) live in the standards data.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

RULES_2022 = dt.date(2022, 8, 1)
RULES_2025 = dt.date(2025, 8, 1)
FULL_TIME_HOURS = Decimal(30)


def minimum_duration_months(start_date: dt.date, weekly_hours: Decimal) -> int:
    """The shortest planned duration the funding rules allow for this start.

    Before 1 August 2025: 12 months, extended pro rata for contracts under 30 hours a week.
    From 1 August 2025: 8 months, with no automatic extension for part-time contracts.
    """
    if start_date >= RULES_2025:
        return 8
    if weekly_hours >= FULL_TIME_HOURS:
        return 12
    return math.ceil(12 * FULL_TIME_HOURS / Decimal(weekly_hours))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


# -- off-the-job training ---------------------------------------------------------------
#
# The required off-the-job total depends on the rules in force on the start date:
#   before 1 August 2022: 20% of contracted hours over the planned duration;
#   1 August 2022 to 31 July 2025: 6 hours a week for 30+ hour contracts, 20% of contracted
#     hours below 30 (so 20% of the contracted hours, capped at 30);
#   from 1 August 2025: the standard's published minimum (standards data, not code).
# Before 2025 statutory leave is excluded, as the provider sets it (5.6 weeks a year by
# default: 28 days for a five-day week). Following the DfE off-the-job guide, the planned
# duration in weeks and the resulting hours are each rounded to a whole number, and the
# leave is not rounded. The arithmetic is in integers, so it is exact and the database
# version in portfolio.services.otj gives the same answer.

OTJ_ERA_BEFORE_2022 = "before_2022"
OTJ_ERA_2022_TO_2025 = "2022_to_2025"
OTJ_ERA_FROM_2025 = "from_2025"
STATUTORY_LEAVE_WEEKS = Decimal("5.6")
MAX_LEAVE_WEEKS = Decimal(10)


@dataclass(frozen=True)
class OtjRequirement:
    """The required off-the-job total before prior learning, and how it was worked out."""

    era: str
    # None when the rule needs the standard's published minimum and it is not loaded.
    minutes: int | None
    planned_days: int
    planned_weeks: int
    leave_weeks: Decimal  # statutory leave over the planned duration (2 decimal places)
    weekly_hours_counted: Decimal  # contracted hours the 20% applies to (capped at 30)
    standard_minimum_hours: int | None

    @property
    def is_known(self) -> bool:
        return self.minutes is not None

    @property
    def weekly_otj_hours(self) -> Decimal:
        """20% of the counted contracted hours (6 for a 30-hour week)."""
        return (self.weekly_hours_counted / 5).quantize(Decimal("0.01")).normalize()


def otj_era(start_date: dt.date) -> str:
    if start_date < RULES_2022:
        return OTJ_ERA_BEFORE_2022
    if start_date < RULES_2025:
        return OTJ_ERA_2022_TO_2025
    return OTJ_ERA_FROM_2025


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest whole number, halves up (both positive)."""
    return (2 * numerator + denominator) // (2 * denominator)


def planned_weeks(planned_days: int) -> int:
    return _round_half_up(planned_days, 7)


def percent_rule_hours(
    *, planned_days: int, weekly_hours_tenths: int, leave_hundredths: int
) -> int:
    """Whole hours of 20% of `weekly_hours` over the planned weeks less statutory leave.

    hours = round((round(days / 7) - days * leave / 365) * weekly_hours / 5), written over
    the integers: weekly hours in tenths, leave weeks a year in hundredths.
    """
    net_weeks_scaled = planned_weeks(planned_days) * 36500 - planned_days * leave_hundredths
    numerator = max(0, net_weeks_scaled) * weekly_hours_tenths
    return _round_half_up(numerator, 365 * 100 * 5 * 10)


def required_otj(
    *,
    start_date: dt.date,
    planned_end_date: dt.date,
    weekly_hours: Decimal,
    leave_weeks_per_year: Decimal = STATUTORY_LEAVE_WEEKS,
    standard_minimum_hours: int | None = None,
) -> OtjRequirement:
    """The required off-the-job minutes for an enrolment under the rules of its start date.

    Prior learning is not taken off here (see portfolio.otj_plan.required_after_prior_learning).
    """
    era = otj_era(start_date)
    days = (planned_end_date - start_date).days
    counted = Decimal(weekly_hours)
    if era == OTJ_ERA_2022_TO_2025:
        counted = min(counted, FULL_TIME_HOURS)
    leave = (Decimal(days) * Decimal(leave_weeks_per_year) / 365).quantize(Decimal("0.01"))
    if era == OTJ_ERA_FROM_2025:
        minutes = None if standard_minimum_hours is None else standard_minimum_hours * 60
    else:
        minutes = 60 * percent_rule_hours(
            planned_days=days,
            weekly_hours_tenths=int(counted * 10),
            leave_hundredths=int(Decimal(leave_weeks_per_year) * 100),
        )
    return OtjRequirement(
        era=era,
        minutes=minutes,
        planned_days=days,
        planned_weeks=planned_weeks(days),
        leave_weeks=leave,
        weekly_hours_counted=counted,
        standard_minimum_hours=standard_minimum_hours,
    )


# -- breaks in learning ----------------------------------------------------------------
#
# A break is a span of days, first and last day included. A break whose last day is not
# known yet (the apprentice has not come back) runs up to today.

Span = tuple[dt.date, dt.date | None]


def _span_last(span: Span, today: dt.date) -> dt.date:
    return span[1] if span[1] is not None else today


def break_days(spans: Iterable[Span], *, first: dt.date, last: dt.date, today: dt.date) -> int:
    """How many days from `first` to `last` (both included) fall in a break."""
    total = 0
    for span in spans:
        begin, end = max(span[0], first), min(_span_last(span, today), last)
        if end >= begin:
            total += (end - begin).days + 1
    return total


def total_break_days(spans: Iterable[Span], *, today: dt.date) -> int:
    """The length of every break; one not over yet counts up to today."""
    return sum(
        max(0, (_span_last(span, today) - span[0]).days + 1)
        for span in spans
        if span[0] <= _span_last(span, today)
    )


def planned_end_with_breaks(
    planned_end: dt.date, spans: Iterable[Span], *, today: dt.date
) -> dt.date:
    """The planned end date, moved later by the length of every break in learning."""
    return planned_end + dt.timedelta(days=total_break_days(spans, today=today))


def days_on_programme(start_date: dt.date, spans: Iterable[Span], *, today: dt.date) -> int:
    """Days from the start to today (today not included), less the days spent on a break."""
    if today <= start_date:
        return 0
    elapsed = (today - start_date).days
    return elapsed - break_days(
        spans, first=start_date, last=today - dt.timedelta(days=1), today=today
    )


def on_break(spans: Iterable[Span], *, today: dt.date) -> Span | None:
    """The break that today falls in, if any."""
    for span in spans:
        if span[0] <= today and (span[1] is None or today <= span[1]):
            return span
    return None
