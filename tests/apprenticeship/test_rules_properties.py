"""Properties of the duration and hours rules across every start date (hypothesis): what
holds for any start, contract and plan, not only the hand-worked cases in
tests/test_rules_by_start_date.py. Sources as there: SRC-PIER and SRC-DFE-FORUM-PT (12
months, extended pro rata below 30 hours, before 1 August 2025), SRC-CITYGUILDS-2025 and
SRC-APTEM-2025 (8 months from then, no extension), SRC-HASO-OTJ and SRC-TRIBAL (the 20%
and 6-hour rules), SRC-FEWEEK-OTJ-2025 (the published minimum from 2025)."""

import datetime as dt
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import assume, given
from hypothesis import strategies as st

from apprenticeship import funding_rules, rule_sources, rules

STARTS = st.dates(min_value=dt.date(2017, 5, 1), max_value=dt.date(2030, 12, 31))
BEFORE_2025 = st.dates(min_value=dt.date(2017, 5, 1), max_value=dt.date(2025, 7, 31))
FROM_2025 = st.dates(min_value=dt.date(2025, 8, 1), max_value=dt.date(2030, 12, 31))
# Contracted hours a week, to one decimal place, as the enrolment form takes them.
WEEKLY_HOURS = st.integers(min_value=10, max_value=600).map(lambda tenths: Decimal(tenths) / 10)
PLANNED_DAYS = st.integers(min_value=1, max_value=6 * 365)
LEAVE = st.integers(min_value=0, max_value=1000).map(lambda hundredths: Decimal(hundredths) / 100)


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _reference_hours(days: int, weekly: Decimal, leave: Decimal) -> int:
    """The off-the-job rule in exact fractions: round((round(days / 7) - days x leave / 365)
    x weekly x 20%), halves up, never below nothing."""
    weeks = _round_half_up(Fraction(days, 7))
    net = max(Fraction(0), weeks - Fraction(days) * Fraction(leave) / 365)
    return _round_half_up(net * Fraction(weekly) / 5)


@given(start=STARTS, weekly=WEEKLY_HOURS)
def test_the_minimum_duration_is_8_months_from_2025_and_12_or_more_before(start, weekly):
    months = funding_rules.minimum_duration_months(start, weekly)
    if start >= funding_rules.RULES_2025:
        assert months == 8
    elif weekly >= 30:
        assert months == 12
    else:
        assert months == math.ceil(Fraction(12 * 30) / Fraction(weekly)) > 12


@given(start=BEFORE_2025, low=WEEKLY_HOURS, high=WEEKLY_HOURS)
def test_fewer_weekly_hours_never_shorten_the_minimum_before_2025(start, low, high):
    assume(low <= high)
    assert funding_rules.minimum_duration_months(
        start, low
    ) >= funding_rules.minimum_duration_months(start, high)


@given(start=STARTS, weekly=WEEKLY_HOURS)
def test_the_rules_minimum_is_the_gateways_without_a_longer_plan_minimum(start, weekly):
    from standards.models import StandardVersion

    minimum = rules.minimum_programme(start, weekly, StandardVersion(reference="ST0896"))
    assert minimum.months == funding_rules.minimum_duration_months(start, weekly)
    assert not minimum.from_plan
    # Only the rules of the start date: every figure carries a source or says why not.
    assert minimum.rule.sources
    if start >= funding_rules.RULES_NOT_LOADED_FROM:
        assert minimum.rule.label == rule_sources.Label.NOT_LOADED


@given(start=BEFORE_2025, days=PLANNED_DAYS, weekly=WEEKLY_HOURS, leave=LEAVE)
def test_the_hours_before_2025_are_the_20_percent_rule_worked_exactly(start, days, weekly, leave):
    requirement = funding_rules.required_otj(
        start_date=start,
        planned_end_date=start + dt.timedelta(days=days),
        weekly_hours=weekly,
        leave_weeks_per_year=leave,
    )
    counted = weekly if start < funding_rules.RULES_2022 else min(weekly, Decimal(30))
    assert requirement.minutes == 60 * _reference_hours(days, counted, leave)
    assert requirement.weekly_hours_counted == counted


@given(start=BEFORE_2025, days=PLANNED_DAYS, low=WEEKLY_HOURS, high=WEEKLY_HOURS)
def test_more_contracted_hours_never_need_less_training(start, days, low, high):
    assume(low <= high)

    def minutes(weekly):
        return funding_rules.required_otj(
            start_date=start, planned_end_date=start + dt.timedelta(days=days), weekly_hours=weekly
        ).minutes

    assert minutes(low) <= minutes(high)


@given(
    start=st.dates(min_value=dt.date(2022, 8, 1), max_value=dt.date(2025, 7, 31)),
    days=PLANNED_DAYS,
    weekly=st.integers(min_value=300, max_value=600).map(lambda t: Decimal(t) / 10),
)
def test_from_2022_to_2025_thirty_hours_or_more_is_six_hours_a_week(start, days, weekly):
    def minutes(hours):
        return funding_rules.required_otj(
            start_date=start, planned_end_date=start + dt.timedelta(days=days), weekly_hours=hours
        ).minutes

    assert minutes(weekly) == minutes(Decimal(30))


@given(
    start=FROM_2025,
    days=PLANNED_DAYS,
    weekly=WEEKLY_HOURS,
    published=st.none() | st.integers(min_value=1, max_value=5000),
)
def test_from_2025_the_hours_are_the_published_minimum_whatever_the_plan(
    start, days, weekly, published
):
    requirement = funding_rules.required_otj(
        start_date=start,
        planned_end_date=start + dt.timedelta(days=days),
        weekly_hours=weekly,
        standard_minimum_hours=published,
    )
    assert requirement.era == funding_rules.OTJ_ERA_FROM_2025
    assert requirement.minutes == (None if published is None else published * 60)


@given(
    start=STARTS,
    months=st.integers(min_value=1, max_value=36),
    breaks=st.lists(
        st.tuples(st.integers(min_value=0, max_value=900), st.integers(min_value=0, max_value=120)),
        max_size=4,
    ),
)
def test_every_day_of_a_break_moves_the_earliest_gateway_a_day(start, months, breaks):
    spans = [
        (start + dt.timedelta(days=offset), start + dt.timedelta(days=offset + length))
        for offset, length in breaks
    ]
    today = start + dt.timedelta(days=2000)
    earliest = funding_rules.earliest_gateway(start, months, spans, today=today)
    total = sum(length + 1 for _, length in breaks)
    assert earliest == funding_rules.add_months(start, months) + dt.timedelta(days=total)


@given(start=STARTS)
def test_the_funding_year_is_the_one_the_start_falls_in(start):
    year = funding_rules.funding_year(start)
    first = start.year if start.month >= 8 else start.year - 1
    assert year.year == f"{first}-{(first + 1) % 100:02d}"
    assert year.loaded is (start < funding_rules.RULES_NOT_LOADED_FROM)
    assert (year.applied == year.year) is year.loaded
    assert year.applied <= "2025-26"


def _facts_file() -> Path | None:
    for base in (settings.BASE_DIR.parent, settings.BASE_DIR.parent.parent):
        path = base / "shared" / "reference" / "st0896-facts.json"
        if path.exists():
            return path
    return None


def test_every_source_cited_is_the_reference_facts_own_id_and_title():
    path = _facts_file()
    if path is None:
        pytest.skip("The reference facts file is not next to this checkout.")
    titles = {s["id"]: s["title"] for s in json.loads(path.read_text("utf-8"))["sources"]}
    for source in rule_sources.SOURCES.values():
        assert titles.get(source.id) == source.title, source.id
