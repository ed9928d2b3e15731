"""The same apprenticeships give the same figures on every page that shows them, and the
figures are the ones worked out by hand here.

The test command runs this file twice, on PostgreSQL and on SQLite (the embedded default a
newcomer runs), so a figure that one engine works out differently fails here. Each case
says how its figures were worked out.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apprenticeship.models import Role
from epa.services import gateway as gateway_services
from portfolio.reviews.models import Review
from portfolio.reviews.services.standing import refresh_standing
from portfolio.training.models import OtjEntry
from reports import content
from tests import factories


def _travel(day: dt.date):
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    return time_machine.travel(noon, tick=False)


def _text(response) -> str:
    assert response.status_code == 200
    # Collapse whitespace so a figure split over lines in a template still matches.
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def tutor(db):
    return factories.UserFactory(email="figures.tutor@example.org", full_name="Fig Tutor")


def _enrol(tutor, *, start: dt.date, end: dt.date, hours: str = "30"):
    standard = factories.StandardVersionFactory()
    for number in (1, 2):
        factories.DutyFactory(standard_version=standard, number=number)
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=standard,
        start_date=start,
        planned_end_date=end,
        contracted_weekly_hours=Decimal(hours),
    )
    factories.OrganisationMembershipFactory(user=tutor, organisation=apprenticeship.provider)
    factories.MembershipFactory(apprenticeship=apprenticeship, user=tutor, role=Role.TUTOR)
    return apprenticeship


def _held_review(apprenticeship, by, held_on: dt.date) -> None:
    review = factories.ReviewFactory(
        apprenticeship=apprenticeship, status=Review.Status.AWAITING_SIGNATURES, created_by=by
    )
    version = factories.ReviewVersionFactory(review=review, held_on=held_on, created_by=by)
    review.current_version = version
    review.save(update_fields=["current_version"])
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])


def test_off_the_job_and_review_figures_for_a_2023_start_agree_everywhere(client, tutor):
    """Start 4 September 2023, planned end 2 December 2024 (455 days), 30 hours a week,
    statutory leave 5.6 weeks a year; rules of 1 August 2022 to 31 July 2025.

    Required: 20% of 30 hours = 6 hours a week over round(455 / 7) = 65 weeks less
    455 x 5.6 / 365 = 6.98 weeks of leave: 58.02 x 6 = 348.1, so 348 hours.
    Today, 4 March 2024, is day 182: expected 348 h x 182 / 455 = 139.2 h = 139 h 12 min.
    Logged 100 hours (60 verified); more than a week's worth short of expected (one week
    is 348 h x 7 / 455 = 5 h 21 min), so behind.
    Reviews every 12 weeks: the last held on 15 January 2024, so due by 8 April 2024.
    Minimum time on programme 12 months: gateway from 4 September 2024.
    """
    a = _enrol(tutor, start=dt.date(2023, 9, 4), end=dt.date(2024, 12, 2))
    for day in range(20):
        verified = day < 12
        factories.OtjEntryFactory(
            apprenticeship=a,
            date=dt.date(2023, 10, 2) + dt.timedelta(days=day),
            minutes=300,
            status=OtjEntry.Status.VERIFIED if verified else OtjEntry.Status.PENDING,
            decided_at=timezone.now() if verified else None,
        )
    _held_review(a, tutor, dt.date(2024, 1, 15))
    client.force_login(tutor)
    with _travel(dt.date(2024, 3, 4)):
        assert timezone.localdate() == dt.date(2024, 3, 4)
        caseload = _text(client.get(reverse("dashboards:caseload")))
        page = _text(client.get(reverse("dashboards:apprenticeship-detail", args=[a.pk])))
        summary = _text(client.get(reverse("portfolio:otj-summary", args=[a.pk])))
        reviews = _text(client.get(reverse("portfolio:review-list", args=[a.pk])))
        checklist = {item.key: item for item in gateway_services.checklist(a)}
        pdf = re.sub(
            r"\s+",
            " ",
            content.build_document(apprenticeship=a, kind="portfolio", audience="full").html,
        )

    assert "Behind" in caseload and "100 h of 139 h expected" in caseload
    # The last training was on 21 October 2023: 135 days without training by 4 March 2024,
    # more than the 4 weeks the 2022-25 rules allow (19 whole weeks).
    assert "No training for 19 weeks" in caseload
    assert "No training logged for 19 weeks</strong>, since 22 October 2023" in page
    assert "No training logged from 22 October 2023 to 4 March 2024 (still going on)" in summary
    assert "Due by 8 Apr 2024" in caseload
    assert "60 hours</strong> verified of 348 hours required (17%)" in page
    assert "Expected by today: 139 hours 12 minutes" in page
    assert "The next review is due by 8 April 2024." in page
    assert "348 h" in summary and "139 h 12 min" in summary and "Behind" in summary
    assert "The next review is due by 8 April 2024." in reviews
    assert "100 hours logged of 348 hours required" in checklist["otj"].detail
    assert "60 hours verified of 348 hours required" in checklist["otj_verified"].detail
    assert "40 hours waits for verification" in checklist["otj_verified"].detail
    # A 2023 start on 30 hours: the 2022-25 rules' 12 months (SRC-PIER, SRC-DFE-FORUM-PT).
    assert "4 September 2024" in checklist["time_on_programme"].detail
    assert "the 2023-24 funding rules' minimum" in checklist["time_on_programme"].detail
    # The rules in force, on the page and in the PDF, with the same figures and sources.
    assert "The 2023-24 funding rules apply" in page and "The 2023-24 funding rules apply" in pdf
    assert "<strong>Minimum time on programme:</strong> 12 months" in page
    assert "<td>Minimum time on programme</td><td>12 months" in pdf
    assert "SRC-DFE-FORUM-PT" in page and "SRC-DFE-FORUM-PT" in pdf
    assert "more than 28 days with no training is flagged" in page
    assert "<td>Total</td><td>348 h</td><td>100 h</td><td>60 h</td><td>139 h 12 min</td>" in pdf


@pytest.mark.parametrize(
    ("held_on", "today", "caseload_text", "page_text"),
    [
        # No review yet: 31 August 2025 + 3 calendar months is 30 November (the month's
        # last day), within 14 days of 20 November, so due soon.
        (
            None,
            dt.date(2025, 11, 20),
            'Due soon</span> <span class="small">by 30 Nov 2025',
            "The next review is due soon: by 30 November 2025.",
        ),
        # Held on 31 January 2026: + 3 months is 30 April 2026.
        (
            dt.date(2026, 1, 31),
            dt.date(2026, 4, 1),
            "Due by 30 Apr 2026",
            "The next review is due by 30 April 2026.",
        ),
        # Held on 30 November 2025: + 3 months is 28 February 2026 (not 2 March), and on
        # 1 March 2026 it is overdue.
        (
            dt.date(2025, 11, 30),
            dt.date(2026, 3, 1),
            "was due 28 Feb 2026",
            "It was due by 28 February 2026.",
        ),
    ],
)
def test_review_due_dates_at_month_ends_agree_everywhere(
    client, tutor, held_on, today, caseload_text, page_text
):
    """Starts from 1 August 2025 have a review at least every 3 calendar months; a month
    end the next month lacks lands on that month's last day."""
    a = _enrol(tutor, start=dt.date(2025, 8, 31), end=dt.date(2026, 11, 30))
    if held_on:
        _held_review(a, tutor, held_on)
    client.force_login(tutor)
    with _travel(today):
        caseload = _text(client.get(reverse("dashboards:caseload")))
        page = _text(client.get(reverse("dashboards:apprenticeship-detail", args=[a.pk])))
        reviews = _text(client.get(reverse("portfolio:review-list", args=[a.pk])))
    assert caseload_text in caseload
    assert page_text in page
    assert page_text in reviews
