"""National apprenticeship funding rules that depend on the start date.

These are England's rules, not any one standard's: they live in code. Facts about a
standard (its published off-the-job minimum, say) live in the standards data.
"""

import datetime as dt
import math
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
