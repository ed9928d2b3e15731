"""The funding rules' interval between progress reviews, by start date."""

import datetime as dt

import pytest

from apprenticeship import funding_rules
from apprenticeship.funding_rules import ReviewInterval


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.date(2024, 9, 2), ReviewInterval(12, "weeks")),
        (dt.date(2025, 7, 31), ReviewInterval(12, "weeks")),
        (dt.date(2025, 8, 1), ReviewInterval(3, "months")),
        (dt.date(2026, 1, 15), ReviewInterval(3, "months")),
    ],
)
def test_interval_is_12_weeks_before_1_august_2025_and_3_months_from_then(start, expected):
    assert funding_rules.progress_review_interval(start) == expected


def test_first_review_is_due_one_interval_after_the_start():
    assert funding_rules.next_review_due(start_date=dt.date(2025, 3, 3)) == dt.date(2025, 5, 26)
    assert funding_rules.next_review_due(start_date=dt.date(2025, 9, 1)) == dt.date(2025, 12, 1)


def test_next_review_is_due_one_interval_after_the_last_review_held():
    assert funding_rules.next_review_due(
        start_date=dt.date(2025, 3, 3), last_review_on=dt.date(2025, 5, 20)
    ) == dt.date(2025, 8, 12)
    assert funding_rules.next_review_due(
        start_date=dt.date(2025, 9, 1), last_review_on=dt.date(2025, 11, 20)
    ) == dt.date(2026, 2, 20)


def test_calendar_months_end_on_the_last_day_of_a_shorter_month():
    assert funding_rules.next_review_due(
        start_date=dt.date(2025, 8, 1), last_review_on=dt.date(2025, 11, 30)
    ) == dt.date(2026, 2, 28)
    assert funding_rules.next_review_due(
        start_date=dt.date(2027, 8, 1), last_review_on=dt.date(2027, 11, 30)
    ) == dt.date(2028, 2, 29)


def test_an_agreed_interval_replaces_the_rule():
    monthly = ReviewInterval(1, "months")
    assert funding_rules.next_review_due(
        start_date=dt.date(2024, 9, 2), last_review_on=dt.date(2025, 1, 31), interval=monthly
    ) == dt.date(2025, 2, 28)
    fortnightly = ReviewInterval(2, "weeks")
    assert funding_rules.next_review_due(
        start_date=dt.date(2025, 9, 1), interval=fortnightly
    ) == dt.date(2025, 9, 15)


def test_an_interval_reads_plainly_and_refuses_nonsense():
    assert str(ReviewInterval(12, "weeks")) == "12 weeks"
    assert str(ReviewInterval(1, "months")) == "1 month"
    with pytest.raises(ValueError):
        ReviewInterval(0, "weeks")
    with pytest.raises(ValueError):
        ReviewInterval(3, "fortnights")
