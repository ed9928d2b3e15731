"""When reviews are due: the rule in Python and in SQL, agreed intervals, planning, and
the flags the caseload and the provider overview show."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from portfolio.reviews import schedule as review_schedule
from portfolio.reviews.models import AgreedReviewInterval, Review, ReviewParty
from portfolio.reviews.services import reviews, scheduling
from portfolio.reviews.services.standing import refresh_standing
from tests import factories
from tests.helpers.reviews import current, record, sign_all

TODAY = dt.date(2026, 6, 15)


def _annotated(apprenticeship):
    return review_schedule.with_review_status(
        Apprenticeship.objects.filter(pk=apprenticeship.pk)
    ).get()


def _set_start(apprenticeship, start):
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start, planned_end_date=start + dt.timedelta(days=460)
    )
    apprenticeship.refresh_from_db()


def _held(apprenticeship, by, held_on):
    """A held review on `held_on`, made directly (the services refuse past-dated edge cases
    only through `today`, which these rows do not need)."""
    review = factories.ReviewFactory(
        apprenticeship=apprenticeship, status=Review.Status.AWAITING_SIGNATURES, created_by=by
    )
    version = factories.ReviewVersionFactory(review=review, held_on=held_on, created_by=by)
    review.current_version = version
    review.save(update_fields=["current_version"])
    refresh_standing(apprenticeship_ids=[apprenticeship.pk])
    return review


START_DATES = [
    dt.date(2024, 11, 29),
    dt.date(2025, 7, 31),
    dt.date(2025, 8, 1),
    dt.date(2025, 8, 31),
    dt.date(2025, 11, 30),
    dt.date(2026, 1, 31),
]


@pytest.mark.parametrize("start", START_DATES)
@pytest.mark.parametrize("last_held", [None, dt.date(2026, 1, 31), dt.date(2026, 3, 31)])
@pytest.mark.parametrize("agreed", [None, (1, "months"), (5, "weeks")])
def test_the_sql_annotation_agrees_with_the_python_rule(personas, start, last_held, agreed):
    a = personas["apprenticeship"]
    _set_start(a, start)
    if last_held is not None and last_held >= start:
        _held(a, personas["tutor"], last_held)
    if agreed:
        factories.AgreedReviewIntervalFactory(
            apprenticeship=a, every=agreed[0], unit=agreed[1], agreed_by=personas["tutor"]
        )
    schedule = review_schedule.review_schedule(a, today=TODAY)
    assert _annotated(a).next_review_due == schedule.next_due
    interval = funding_rules.ReviewInterval(*agreed) if agreed else None
    expected_last = last_held if last_held is not None and last_held >= start else None
    assert schedule.next_due == funding_rules.next_review_due(
        start_date=start, last_review_on=expected_last, interval=interval
    )


@pytest.mark.parametrize("start", [dt.date(2024, 11, 29), dt.date(2025, 8, 31)])
@pytest.mark.parametrize("last_held", [None, dt.date(2026, 1, 31)])
@pytest.mark.parametrize("agreed", [None, (1, "months"), (5, "weeks")])
def test_the_overview_flags_agree_with_each_apprenticeships_due_date(
    personas, start, last_held, agreed
):
    a = personas["apprenticeship"]
    _set_start(a, start)
    if last_held is not None:
        _held(a, personas["tutor"], last_held)
    if agreed:
        # An interval agreed earlier and ended counts for nothing.
        ended = factories.AgreedReviewIntervalFactory(
            apprenticeship=a, every=9, unit="weeks", agreed_by=personas["tutor"]
        )
        AgreedReviewInterval.objects.filter(pk=ended.pk).update(ended_at=timezone.now())
        factories.AgreedReviewIntervalFactory(
            apprenticeship=a, every=agreed[0], unit=agreed[1], agreed_by=personas["tutor"]
        )
    scope = Apprenticeship.objects.filter(pk=a.pk)
    due = _annotated(a).next_review_due
    for today in (due - dt.timedelta(days=1), due, due + dt.timedelta(days=1)):
        flags = review_schedule.review_flags(scope, today=today)
        state = review_schedule.review_due_state(due, today=today)
        assert flags["overdue"] == int(state == "overdue"), today
        assert flags["unsigned"] == (1 if last_held else 0)


def test_the_overview_flags_are_one_query_that_reads_no_review(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scope = Apprenticeship.objects.filter(provider=personas["apprenticeship"].provider)
    with CaptureQueriesContext(connection) as context:
        review_schedule.review_flags(scope)
    assert len(context.captured_queries) == 1
    sql = context.captured_queries[0]["sql"].upper()
    # One row per apprenticeship, from its review standing: no subquery, and no review or
    # agreed interval read, however many there are.
    assert sql.count("SELECT") == 1
    assert '"PORTFOLIO_REVIEWSTANDING"' in sql
    assert '"PORTFOLIO_REVIEW"' not in sql and "AGREEDREVIEWINTERVAL" not in sql


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (dt.date(2026, 3, 1), "not_due"),
        (dt.date(2026, 3, 27), "due_soon"),  # 14 days before
        (dt.date(2026, 4, 10), "due_soon"),  # the day it is due
        (dt.date(2026, 4, 11), "overdue"),
    ],
)
def test_due_states_against_today_in_python_and_in_the_filters(personas, today, state):
    """A row's state and the filters (the overview's "overdue", the reminders' "due by")
    are the same comparisons of the same due date."""
    a = personas["apprenticeship"]
    _set_start(a, dt.date(2026, 1, 10))  # first review due 10 April 2026
    due = _annotated(a).next_review_due
    assert due == dt.date(2026, 4, 10)
    assert review_schedule.review_due_state(due, today=today) == state
    scope = review_schedule.with_next_review_due(Apprenticeship.objects.filter(pk=a.pk))
    assert scope.filter(review_schedule.overdue(today)).exists() == (state == "overdue")
    assert scope.filter(review_schedule.due_by(today)).exists() == (state != "not_due")
    overdue_only, _ = review_schedule.filter_by_review_flag(scope, "overdue", today=today)
    assert overdue_only.exists() == (state == "overdue")


def test_a_held_review_moves_the_due_date_but_a_planned_or_cancelled_one_does_not(personas):
    a = personas["apprenticeship"]
    before = review_schedule.review_schedule(a).next_due
    planned = scheduling.schedule_review(
        apprenticeship=a, by=personas["tutor"], scheduled_for=timezone.localdate()
    )
    assert review_schedule.review_schedule(a).next_due == before
    assert review_schedule.review_schedule(a).planned.pk == planned.pk
    scheduling.cancel_review(review=planned, by=personas["tutor"], reason="Ill")
    assert review_schedule.review_schedule(a).next_due == before
    review = current(record(personas))
    held_on = review.current_version.held_on
    assert review_schedule.review_schedule(a).next_due == funding_rules.add_months(held_on, 3)


def test_no_review_is_due_once_the_apprentice_has_left_training(personas, post_gateway):
    schedule = review_schedule.review_schedule(post_gateway)
    assert schedule.next_due is None and schedule.state == "not_needed"
    assert _annotated(post_gateway).next_review_due is None
    later = timezone.localdate() + dt.timedelta(days=900)
    flags = review_schedule.review_flags(
        Apprenticeship.objects.filter(pk=post_gateway.pk), today=later
    )
    assert flags["overdue"] == 0


def test_agreeing_an_interval_records_the_reason_and_keeps_the_old_one(personas):
    a, tutor = personas["apprenticeship"], personas["tutor"]
    scheduling.agree_review_interval(
        apprenticeship=a, by=tutor, every=4, unit="weeks", reason="Settling into a new team"
    )
    scheduling.agree_review_interval(
        apprenticeship=a, by=tutor, every=2, unit="months", reason="Back to steadier support"
    )
    schedule = review_schedule.review_schedule(a)
    assert str(schedule.interval) == "2 months" and schedule.agreed.reason.startswith("Back")
    assert AgreedReviewInterval.objects.filter(apprenticeship=a).count() == 2
    scheduling.use_funding_rule_interval(apprenticeship=a, by=tutor)
    assert review_schedule.review_schedule(a).agreed is None
    assert AgreedReviewInterval.objects.filter(ended_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("every", "unit", "reason", "field"),
    [
        (4, "weeks", "  ", "reason"),
        (0, "weeks", "Reason", "every"),
        (27, "weeks", "Reason", "every"),
        (7, "months", "Reason", "every"),
        (2, "years", "Reason", "unit"),
    ],
)
def test_an_agreed_interval_needs_a_reason_and_a_sensible_length(
    personas, every, unit, reason, field
):
    with pytest.raises(ValidationError) as error:
        scheduling.agree_review_interval(
            apprenticeship=personas["apprenticeship"],
            by=personas["tutor"],
            every=every,
            unit=unit,
            reason=reason,
        )
    assert field in error.value.message_dict
    assert not AgreedReviewInterval.objects.exists()


def test_an_interval_longer_than_the_rule_needs_the_employers_agreement(personas):
    a, employer = personas["apprenticeship"], personas["employer"]
    with pytest.raises(ValidationError) as error:
        scheduling.agree_review_interval(
            apprenticeship=a, by=personas["tutor"], every=4, unit="months", reason="Part-time"
        )
    assert set(error.value.message_dict) == {"employer_contact", "employer_agreed_on"}
    assert "need the employer's agreement" in error.value.message_dict["employer_contact"][0]
    assert not AgreedReviewInterval.objects.exists()
    agreed_on = timezone.localdate() - dt.timedelta(days=2)
    scheduling.agree_review_interval(
        apprenticeship=a,
        by=personas["tutor"],
        every=4,
        unit="months",
        reason="Part-time hours",
        employer_contact=employer,
        employer_agreed_on=agreed_on,
    )
    schedule = review_schedule.review_schedule(a)
    assert schedule.longer_than_rule is True and not schedule.employer_agreement_missing
    assert (schedule.agreed.employer_agreed_by, schedule.agreed.employer_agreed_on) == (
        employer,
        agreed_on,
    )
    event = AuditEvent.objects.filter(action="review.interval_agreed").latest("at")
    assert event.after["employer_agreed_by"] == {"id": employer.pk, "name": employer.full_name}


@pytest.mark.parametrize(
    ("who", "days_ago", "field"),
    [
        ("outsider", 1, "employer_contact"),  # not this apprenticeship's employer contact
        ("tutor", 1, "employer_contact"),  # the tutor cannot agree for the employer
        ("employer", -1, "employer_agreed_on"),  # a day in the future
        ("employer", None, "employer_agreed_on"),  # who, but not when
    ],
)
def test_the_employers_agreement_must_name_their_contact_and_a_past_day(
    personas, who, days_ago, field
):
    with pytest.raises(ValidationError) as error:
        scheduling.agree_review_interval(
            apprenticeship=personas["apprenticeship"],
            by=personas["tutor"],
            every=4,
            unit="months",
            reason="Part-time hours",
            employer_contact=personas[who],
            employer_agreed_on=None
            if days_ago is None
            else timezone.localdate() - dt.timedelta(days=days_ago),
        )
    assert field in error.value.message_dict
    assert not AgreedReviewInterval.objects.exists()


def test_a_shorter_interval_needs_no_employer_agreement(personas):
    agreed = scheduling.agree_review_interval(
        apprenticeship=personas["apprenticeship"],
        by=personas["tutor"],
        every=6,
        unit="weeks",
        reason="Settling in",
    )
    assert agreed.employer_agreed_by is None


def test_a_longer_interval_agreed_before_says_the_employers_agreement_is_missing(personas):
    a = personas["apprenticeship"]
    AgreedReviewInterval.objects.create(
        apprenticeship=a,
        every=4,
        unit="months",
        reason="Before this was needed",
        agreed_by=personas["tutor"],
    )
    assert review_schedule.review_schedule(a).employer_agreement_missing


def test_planning_refuses_a_past_date_and_a_second_planned_review(personas):
    a, tutor = personas["apprenticeship"], personas["tutor"]
    with pytest.raises(ValidationError):
        scheduling.schedule_review(
            apprenticeship=a, by=tutor, scheduled_for=timezone.localdate() - dt.timedelta(days=1)
        )
    scheduling.schedule_review(apprenticeship=a, by=tutor, scheduled_for=timezone.localdate())
    with pytest.raises(reviews.ReviewError, match="already planned"):
        scheduling.schedule_review(apprenticeship=a, by=tutor, scheduled_for=timezone.localdate())


def test_rescheduling_moves_only_a_planned_review(personas):
    tutor = personas["tutor"]
    planned = scheduling.schedule_review(
        apprenticeship=personas["apprenticeship"], by=tutor, scheduled_for=timezone.localdate()
    )
    later = timezone.localdate() + dt.timedelta(days=5)
    assert (
        scheduling.reschedule_review(review=planned, by=tutor, scheduled_for=later).scheduled_for
        == later
    )
    record(personas, review=planned)
    with pytest.raises(reviews.ReviewError):
        scheduling.reschedule_review(review=planned, by=tutor, scheduled_for=later)
    with pytest.raises(reviews.ReviewError):
        scheduling.cancel_review(review=planned, by=tutor, reason="Too late")


def test_the_annotation_counts_reviews_waiting_for_signatures(personas):
    a = personas["apprenticeship"]
    record(personas)
    second = record(personas, held_on=timezone.localdate())
    assert _annotated(a).reviews_waiting == 2
    sign_all(personas, second)
    assert _annotated(a).reviews_waiting == 1


def test_overview_flags_overdue_unsigned_and_late_signed_reviews(personas):
    a = personas["apprenticeship"]
    scope = Apprenticeship.objects.filter(provider=a.provider)
    _set_start(a, timezone.localdate() - dt.timedelta(days=30))
    counts = review_schedule.review_flags(scope)
    assert counts == {"overdue": 0, "unsigned": 0, "late": 0, "late_days": 14}

    # Overdue: started long ago, never reviewed.
    _set_start(a, timezone.localdate() - dt.timedelta(days=200))
    assert review_schedule.review_flags(scope)["overdue"] == 1

    # Waiting for signatures.
    review = record(personas, held_on=timezone.localdate() - dt.timedelta(days=20))
    counts = review_schedule.review_flags(scope)
    assert (counts["overdue"], counts["unsigned"], counts["late"]) == (0, 1, 0)

    # Signed 20 days after it took place: flagged as late.
    sign_all(personas, review)
    counts = review_schedule.review_flags(scope)
    assert (counts["unsigned"], counts["late"]) == (0, 1)
    assert review_schedule.signed_late(current(review)) is True
    filtered, flag = review_schedule.filter_by_review_flag(scope, "late")
    assert flag == "late" and list(filtered) == [a]
    assert review_schedule.filter_by_review_flag(scope, "nonsense")[1] == ""


def test_a_review_signed_within_the_threshold_is_not_late(personas):
    review = sign_all(
        personas, record(personas, held_on=timezone.localdate() - dt.timedelta(days=14))
    )
    assert review_schedule.signed_late(review) is False
    scope = Apprenticeship.objects.filter(pk=personas["apprenticeship"].pk)
    assert review_schedule.review_flags(scope)["late"] == 0


def test_signed_late_uses_the_day_everyone_had_signed(personas):
    held_on = timezone.localdate() - dt.timedelta(days=2)
    review = record(personas, held_on=held_on)
    with time_machine.travel(timezone.now() + dt.timedelta(days=20)):
        review = sign_all(personas, review)
    assert review_schedule.signed_late(review) is True
    assert review.current_version.signature_for(ReviewParty.TUTOR) is not None


def test_the_due_date_is_one_expression_over_five_columns():
    """Lists write the due date out several times in one query (the caseload's "Waiting for
    you" five): building and compiling a tree of cases and coalesces each time cost 5-6% of
    the caseload's time."""
    annotated = review_schedule.with_next_review_due(Apprenticeship.objects.all())
    due = annotated.query.annotations["next_review_due"]
    assert len(list(due.flatten())) == 1 + 5
