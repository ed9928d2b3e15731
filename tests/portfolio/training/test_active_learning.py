"""Starts under the 2022-25 rules need evidence of active learning at least every 4 weeks
(2022-23 funding rules, P36.2); the recognised prior learning of a 2025 start never takes
the total below the 2025-26 floor of 187 hours."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apprenticeship import funding_rules
from portfolio.training.plan import Gap, learning_gaps
from portfolio.training.selectors import otj_summary
from portfolio.training.services import planning
from tests import factories

D = dt.date


@pytest.mark.parametrize(
    ("days", "today", "spans", "expected"),
    [
        # Exactly 28 days without training is within the rule; 29 is not.
        ([], D(2024, 1, 28), [], []),
        ([], D(2024, 1, 29), [], [Gap(D(2024, 1, 1), D(2024, 1, 29), 29, True)]),
        # Days on a break are left out: 30 calendar days, 2 of them on a break.
        ([], D(2024, 1, 30), [(D(2024, 1, 5), D(2024, 1, 6))], []),
        # A closed gap between two training days, and a clear run after.
        (
            [D(2024, 1, 10), D(2024, 3, 1), D(2024, 3, 20)],
            D(2024, 4, 1),
            [],
            [Gap(D(2024, 1, 11), D(2024, 2, 29), 50, False)],
        ),
        # Training on the last day keeps the gap closed.
        ([D(2024, 1, 29)], D(2024, 1, 29), [], []),
    ],
)
def test_gaps_of_more_than_four_weeks(days, today, spans, expected):
    gaps = learning_gaps(days, start=D(2024, 1, 1), today=today, spans=spans, longer_than=28)
    assert gaps == expected


def test_the_summary_flags_a_gap_only_for_2022_to_2025_starts(personas):
    apprenticeship = personas["apprenticeship"]
    apprenticeship.start_date = D(2024, 1, 1)
    apprenticeship.planned_end_date = D(2025, 4, 1)
    apprenticeship.save()
    factories.OtjEntryFactory(apprenticeship=apprenticeship, date=D(2024, 1, 10))
    summary = otj_summary(apprenticeship, today=D(2024, 3, 1))
    assert summary.active_learning_rule
    assert summary.current_gap == Gap(D(2024, 1, 11), D(2024, 3, 1), 51, True)
    apprenticeship.start_date = D(2025, 8, 1)
    apprenticeship.planned_end_date = D(2026, 11, 1)
    apprenticeship.save()
    later = otj_summary(apprenticeship, today=D(2026, 3, 1))
    assert not later.active_learning_rule and later.current_gap is None


@pytest.mark.parametrize(
    ("start", "year", "applied", "loaded"),
    [
        (D(2022, 7, 31), "2021-22", "2021-22", True),
        (D(2022, 8, 1), "2022-23", "2022-23", True),
        (D(2025, 8, 1), "2025-26", "2025-26", True),
        (D(2026, 7, 31), "2025-26", "2025-26", True),
        (D(2026, 8, 1), "2026-27", "2025-26", False),
    ],
)
def test_the_funding_year_says_when_its_rules_are_not_loaded(start, year, applied, loaded):
    found = funding_rules.funding_year(start)
    assert (found.year, found.applied, found.loaded) == (year, applied, loaded)
    if not loaded:
        assert "2026-27 funding year, whose rules are not loaded here yet" in found.note
        assert "The 2025-26 rules are applied" in found.note


def test_prior_learning_cannot_take_a_2025_start_below_the_floor(personas):
    apprenticeship = personas["apprenticeship"]
    apprenticeship.start_date = D(2025, 9, 1)
    apprenticeship.planned_end_date = D(2026, 12, 1)
    apprenticeship.save()
    apprenticeship.standard_version.otj_minimum_hours = 250
    apprenticeship.standard_version.save()
    with pytest.raises(ValidationError) as refused:
        planning.save_otj_requirement(
            apprenticeship=apprenticeship,
            by=personas["tutor"],
            leave_weeks_per_year=Decimal("5.6"),
            prior_learning_minutes=64 * 60,
            prior_learning_reason="Level 3 certificate in peer support",
        )
    message = refused.value.message_dict["prior_learning_minutes"][0]
    assert "floor of 187 hours" in message and "Take off at most 63 hours" in message
    plan = planning.save_otj_requirement(
        apprenticeship=apprenticeship,
        by=personas["tutor"],
        leave_weeks_per_year=Decimal("5.6"),
        prior_learning_minutes=63 * 60,
        prior_learning_reason="Level 3 certificate in peer support",
    )
    assert plan.prior_learning_minutes == 63 * 60
