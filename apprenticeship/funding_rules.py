"""National apprenticeship funding rules that depend on the start date.

These are England's rules, not any one standard's: they live in code. Facts about a
standard (its published off-the-job minimum, say) live in the standards data.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

RULES_2022 = dt.date(2022, 8, 1)
RULES_2025 = dt.date(2025, 8, 1)
# The first start date whose funding rules this app does not hold (the 2026-27 rules).
RULES_NOT_LOADED_FROM = dt.date(2026, 8, 1)
FULL_TIME_HOURS = Decimal(30)
# The 2025-26 rules' funding floor: no apprenticeship starting from 1 August 2025 is funded
# with less off-the-job training than this, or a shorter duration, whatever prior learning
# is recognised.
OTJ_FLOOR_HOURS_FROM_2025 = 187
MINIMUM_MONTHS_FROM_2025 = 8
# 2022-23 rules (P36.2), for starts from 1 August 2022 to 31 July 2025: evidence of active
# learning at least every 4 weeks.
ACTIVE_LEARNING_DAYS = 28


@dataclass(frozen=True)
class FundingYear:
    """Which year's funding rules an apprenticeship follows (those in force on its start
    date, for the whole apprenticeship), and which rules this app applies to it."""

    year: str  # "2025-26": the funding year of the start date
    applied: str  # the year whose rules are applied
    loaded: bool  # False when the start is after the last rules this app holds

    @property
    def note(self) -> str:
        if self.loaded:
            return f"The {self.year} funding rules apply: those in force on the start date."
        return (
            f"This apprenticeship started in the {self.year} funding year, whose rules are not "
            f"loaded here yet. The {self.applied} rules are applied until they are."
        )


def funding_year(start_date: dt.date) -> FundingYear:
    first = start_date.year if start_date.month >= 8 else start_date.year - 1
    year = f"{first}-{(first + 1) % 100:02d}"
    if start_date >= RULES_NOT_LOADED_FROM:
        last = RULES_NOT_LOADED_FROM.year - 1
        return FundingYear(year=year, applied=f"{last}-{(last + 1) % 100:02d}", loaded=False)
    return FundingYear(year=year, applied=year, loaded=True)


def minimum_duration_months(start_date: dt.date, weekly_hours: Decimal) -> int:
    """The shortest planned duration the funding rules allow for this start.

    Before 1 August 2025: 12 months, extended pro rata for contracts under 30 hours a week.
    From 1 August 2025: 8 months, with no automatic extension for part-time contracts.
    """
    if start_date >= RULES_2025:
        return MINIMUM_MONTHS_FROM_2025
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


# -- keeping records --------------------------------------------------------------------
#
# How long a provider keeps an apprenticeship's records for the funding audit. The one
# figure the stored sources give: at least 6 years after the end of the agreement period,
# or longer where the funding rules say (ESFA education and skills agreements 2020 to 2021,
# clause 28.3.1, quoted in the DfE customer help community). The current funding rules'
# own period was not found. Counting from the end of the funding year (31 July) in which
# the apprenticeship ended is this app's reading of "the agreement period": labelled
# inferred in apprenticeship/rules.py (`retention_rule`), never shown as official.
RECORD_RETENTION_YEARS = 6


def funding_year_end(day: dt.date) -> dt.date:
    """The last day (31 July) of the funding year `day` falls in."""
    return dt.date(day.year + (1 if day.month >= 8 else 0), 7, 31)


def records_kept_until(ended_on: dt.date, years: int = RECORD_RETENTION_YEARS) -> dt.date:
    """The last day an apprenticeship that ended on `ended_on` is kept in full: `years`
    after the end of the funding year it ended in."""
    end = funding_year_end(ended_on)
    return dt.date(end.year + years, 7, 31)


def latest_end_due(today: dt.date, years: int = RECORD_RETENTION_YEARS) -> dt.date:
    """The latest end date whose records are past keeping on `today`: an apprenticeship
    that ended on or before it has `records_kept_until(...) < today`."""
    last_year = today.year if today > dt.date(today.year, 7, 31) else today.year - 1
    return dt.date(last_year - years, 7, 31)


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


def otj_may_be_uneven(start_date: dt.date) -> bool:
    """From 1 August 2025 off-the-job training may be delivered unevenly (not spread
    evenly over the apprenticeship), so progress is judged against the training plan's own
    schedule rather than an even pace."""
    return start_date >= RULES_2025


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


# -- gateway ---------------------------------------------------------------------------

# From this date Level 2 English and maths are optional for apprentices aged 19 or over.
ENGLISH_MATHS_19_PLUS_OPTIONAL = dt.date(2025, 2, 11)


def english_maths_required(age_at_start: int, *, on: dt.date) -> bool:
    """Whether Level 2 English and maths must be evidenced before gateway on `on`: always
    for apprentices aged 16 to 18 at the start; for those aged 19 or over only before
    11 February 2025."""
    return age_at_start < 19 or on < ENGLISH_MATHS_19_PLUS_OPTIONAL


def earliest_gateway(
    start_date: dt.date, minimum_months: int, spans: Iterable[Span], *, today: dt.date
) -> dt.date:
    """The first day the minimum time on programme has been spent, moved later by the
    days of every break in learning so far."""
    return add_months(start_date, minimum_months) + dt.timedelta(
        days=total_break_days(spans, today=today)
    )


# -- progress reviews ------------------------------------------------------------------

REVIEW_WEEKS_BEFORE_2025 = 12
REVIEW_MONTHS_FROM_2025 = 3


@dataclass(frozen=True)
class ReviewInterval:
    """The longest gap allowed between progress reviews: weeks or calendar months."""

    count: int
    unit: str  # WEEKS or MONTHS

    WEEKS: ClassVar[str] = "weeks"
    MONTHS: ClassVar[str] = "months"

    def __post_init__(self) -> None:
        if self.unit not in (self.WEEKS, self.MONTHS) or self.count < 1:
            raise ValueError(f"Not a review interval: {self.count} {self.unit}")

    def after(self, day: dt.date) -> dt.date:
        """The day this interval after `day` (calendar months clamp to the month's end)."""
        if self.unit == self.WEEKS:
            return day + dt.timedelta(weeks=self.count)
        return add_months(day, self.count)

    def __str__(self) -> str:
        unit = self.unit if self.count != 1 else self.unit.removesuffix("s")
        return f"{self.count} {unit}"

    def longer_than(self, other: "ReviewInterval") -> bool:
        """Whether this interval allows more time between reviews than `other` (measured
        from one fixed day, so weeks and months compare)."""
        day = dt.date(2000, 1, 31)
        return self.after(day) > other.after(day)


def progress_review_interval(start_date: dt.date) -> ReviewInterval:
    """How often the funding rules want a progress review, by start date.

    Starts before 1 August 2025: at least every 12 weeks.
    Starts from 1 August 2025: at least every 3 calendar months.
    """
    if start_date >= RULES_2025:
        return ReviewInterval(REVIEW_MONTHS_FROM_2025, ReviewInterval.MONTHS)
    return ReviewInterval(REVIEW_WEEKS_BEFORE_2025, ReviewInterval.WEEKS)


def next_review_due(
    *,
    start_date: dt.date,
    last_review_on: dt.date | None = None,
    interval: ReviewInterval | None = None,
) -> dt.date:
    """The date by which the next progress review must be held.

    It is one interval after the last review held, or after the start date when none has
    been. The interval is the rule for the start date unless a different one was agreed.
    """
    interval = interval or progress_review_interval(start_date)
    return interval.after(last_review_on or start_date)
