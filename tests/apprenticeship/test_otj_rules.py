"""The national off-the-job rule by start date, and breaks in learning, worked by hand.

Each case shows its arithmetic: planned weeks = round(days / 7); statutory leave =
days x leave a year / 365 (not rounded); hours = round((weeks - leave) x weekly OTJ hours).
"""

import datetime as dt
from decimal import Decimal

import pytest

from apprenticeship import funding_rules
from apprenticeship.funding_rules import (
    OTJ_ERA_2022_TO_2025,
    OTJ_ERA_BEFORE_2022,
    OTJ_ERA_FROM_2025,
    required_otj,
)


def hours(requirement) -> int:
    assert requirement.minutes % 60 == 0
    return requirement.minutes // 60


def test_before_2022_matches_the_dfe_guide_example_of_278_hours():
    # 365 days -> 52 weeks; leave 365 x 5.6 / 365 = 5.6 weeks; 46.4 weeks x 30 h x 20%
    # = 278.4 -> 278 hours (the guide's worked example gives 278.4).
    r = required_otj(
        start_date=dt.date(2021, 9, 1),
        planned_end_date=dt.date(2022, 9, 1),
        weekly_hours=Decimal("30"),
    )
    assert r.era == OTJ_ERA_BEFORE_2022
    assert (r.planned_weeks, r.leave_weeks) == (52, Decimal("5.60"))
    assert hours(r) == 278


def test_before_2022_counts_all_contracted_hours_above_30():
    # Same plan on 37.5 hours: 46.4 x 7.5 = 348 hours (no 30-hour cap before August 2022).
    r = required_otj(
        start_date=dt.date(2021, 9, 1),
        planned_end_date=dt.date(2022, 9, 1),
        weekly_hours=Decimal("37.5"),
    )
    assert r.weekly_otj_hours == Decimal("7.5")
    assert hours(r) == 348


def test_before_2022_part_time_contract():
    # 700 days = 100 weeks; leave 700 x 5.6 / 365 = 10.7397; 89.2603 x 16 x 20% = 285.63
    # -> 286 hours.
    r = required_otj(
        start_date=dt.date(2020, 9, 7),
        planned_end_date=dt.date(2022, 8, 8),
        weekly_hours=Decimal("16"),
    )
    assert r.era == OTJ_ERA_BEFORE_2022
    assert r.planned_weeks == 100
    assert hours(r) == 286


def test_2022_to_2025_full_time_is_six_hours_a_week_even_above_30():
    # 455 days = 65 weeks; leave 455 x 5.6 / 365 = 6.9808; 58.0192 x 6 = 348.12 -> 348.
    r = required_otj(
        start_date=dt.date(2023, 9, 4),
        planned_end_date=dt.date(2024, 12, 2),
        weekly_hours=Decimal("37.5"),
    )
    assert r.era == OTJ_ERA_2022_TO_2025
    assert r.weekly_hours_counted == Decimal(30)
    assert r.weekly_otj_hours == Decimal(6)
    assert hours(r) == 348


def test_2022_to_2025_part_time_is_20_percent_of_contracted_hours():
    # 22.5 hours a week: 4.5 hours OTJ a week. 700 days = 100 weeks; 89.2603 x 4.5 =
    # 401.67 -> 402 hours.
    r = required_otj(
        start_date=dt.date(2023, 9, 4),
        planned_end_date=dt.date(2025, 8, 4),
        weekly_hours=Decimal("22.5"),
    )
    assert r.weekly_otj_hours == Decimal("4.5")
    assert hours(r) == 402


def test_leave_is_as_the_provider_sets_it():
    # No leave left out: 65 weeks x 6 = 390 hours.
    r = required_otj(
        start_date=dt.date(2023, 9, 4),
        planned_end_date=dt.date(2024, 12, 2),
        weekly_hours=Decimal("37.5"),
        leave_weeks_per_year=Decimal("0"),
    )
    assert hours(r) == 390


def test_half_hours_round_up():
    # 65 weeks x 4.5 hours, no leave = 292.5 -> 293 hours.
    r = required_otj(
        start_date=dt.date(2023, 9, 4),
        planned_end_date=dt.date(2024, 12, 2),
        weekly_hours=Decimal("22.5"),
        leave_weeks_per_year=Decimal("0"),
    )
    assert hours(r) == 293


def test_from_2025_the_total_is_the_standards_published_minimum():
    r = required_otj(
        start_date=dt.date(2025, 8, 1),
        planned_end_date=dt.date(2026, 8, 1),
        weekly_hours=Decimal("16"),
        standard_minimum_hours=300,
    )
    assert r.era == OTJ_ERA_FROM_2025
    assert r.minutes == 300 * 60


def test_from_2025_without_a_published_minimum_the_total_is_not_known():
    r = required_otj(
        start_date=dt.date(2025, 9, 1),
        planned_end_date=dt.date(2026, 12, 1),
        weekly_hours=Decimal("37.5"),
        standard_minimum_hours=None,
    )
    assert r.minutes is None
    assert not r.is_known


@pytest.mark.parametrize(
    ("start", "era"),
    [
        (dt.date(2022, 7, 31), OTJ_ERA_BEFORE_2022),
        (dt.date(2022, 8, 1), OTJ_ERA_2022_TO_2025),
        (dt.date(2025, 7, 31), OTJ_ERA_2022_TO_2025),
        (dt.date(2025, 8, 1), OTJ_ERA_FROM_2025),
    ],
)
def test_the_rule_follows_the_start_date(start, era):
    assert funding_rules.otj_era(start) == era


# -- breaks in learning ----------------------------------------------------------------


def test_a_break_moves_the_planned_end_by_its_length():
    # 6 to 19 January: 14 days.
    spans = [(dt.date(2025, 1, 6), dt.date(2025, 1, 19))]
    end = funding_rules.planned_end_with_breaks(
        dt.date(2025, 6, 30), spans, today=dt.date(2025, 3, 1)
    )
    assert end == dt.date(2025, 7, 14)


def test_a_break_with_no_return_date_counts_up_to_today():
    # From 1 March, today 10 March: 10 days so far.
    spans = [(dt.date(2025, 3, 1), None)]
    end = funding_rules.planned_end_with_breaks(
        dt.date(2025, 6, 30), spans, today=dt.date(2025, 3, 10)
    )
    assert end == dt.date(2025, 7, 10)


def test_days_on_programme_leave_out_breaks():
    # 1 January to 1 February is 31 days; the break 10-16 January is 7 of them.
    spans = [(dt.date(2025, 1, 10), dt.date(2025, 1, 16))]
    assert (
        funding_rules.days_on_programme(dt.date(2025, 1, 1), spans, today=dt.date(2025, 2, 1)) == 24
    )


def test_days_on_programme_during_a_break_stop_at_its_first_day():
    spans = [(dt.date(2025, 1, 10), None)]
    for today in (dt.date(2025, 1, 10), dt.date(2025, 1, 20)):
        assert funding_rules.days_on_programme(dt.date(2025, 1, 1), spans, today=today) == 9


def test_on_break_finds_the_break_today_falls_in():
    spans = [(dt.date(2025, 1, 10), dt.date(2025, 1, 16)), (dt.date(2025, 3, 1), None)]
    assert funding_rules.on_break(spans, today=dt.date(2025, 1, 16)) == spans[0]
    assert funding_rules.on_break(spans, today=dt.date(2025, 1, 17)) is None
    assert funding_rules.on_break(spans, today=dt.date(2025, 4, 1)) == spans[1]
