"""National apprenticeship funding rules that depend on the start date.

These are England's rules, not any one standard's: they live in code. Facts about a
standard (its published off-the-job minimum, say) live in the standards data.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

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
