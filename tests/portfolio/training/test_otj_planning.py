"""The training plan (the required total, prior learning, the split across duties) and
breaks in learning. Bad input is refused and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apprenticeship.models import Apprenticeship, BreakInLearning
from audit.models import AuditEvent
from portfolio.training.errors import OtjError
from portfolio.training.models import OtjAllocation, OtjPlan
from portfolio.training.selectors import otj_summary
from portfolio.training.services import planning as otj_planning
from tests import factories

TODAY = timezone.localdate


@pytest.fixture
def known(apprenticeship):
    """The personas' apprenticeship on 2022-25 rules: 37.5 hours over 455 days = 348 hours,
    split over three duties weighted 4, 4 and 4."""
    apprenticeship.start_date = dt.date(2024, 9, 2)
    apprenticeship.planned_end_date = dt.date(2025, 12, 1)
    apprenticeship.save(update_fields=["start_date", "planned_end_date"])
    return apprenticeship


def plan_state():
    return (
        list(OtjPlan.objects.values()),
        list(OtjAllocation.objects.order_by("pk").values()),
        AuditEvent.objects.filter(action__startswith="otj.").count(),
    )


def test_without_a_plan_the_default_rule_and_split_apply(known):
    summary = otj_summary(known, today=dt.date(2025, 1, 6))
    assert summary.total.required == 348 * 60
    assert [line.figures.required for line in summary.duties] == [6960, 6960, 6960]
    assert summary.split_source == "standard"


def test_prior_learning_reduces_the_total_with_its_reason(known, personas):
    otj_planning.save_otj_requirement(
        apprenticeship=known,
        by=personas["tutor"],
        leave_weeks_per_year=Decimal("5.6"),
        prior_learning_minutes=48 * 60,
        prior_learning_reason="Level 2 peer mentoring certificate, checked at interview.",
    )
    summary = otj_summary(known)
    assert summary.total.required == 300 * 60
    assert summary.prior_learning_reason.startswith("Level 2 peer mentoring")
    event = AuditEvent.objects.get(action="otj.requirement_changed")
    assert event.after["prior_learning_minutes"] == 48 * 60


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"prior_learning_minutes": 60, "prior_learning_reason": ""}, "prior_learning_reason"),
        ({"prior_learning_minutes": 349 * 60}, "prior_learning_minutes"),
        ({"leave_weeks_per_year": Decimal("11")}, "leave_weeks_per_year"),
    ],
)
def test_bad_plan_settings_are_refused_and_change_nothing(known, personas, values, field):
    before = plan_state()
    arguments = {
        "apprenticeship": known,
        "by": personas["tutor"],
        "leave_weeks_per_year": Decimal("5.6"),
        "prior_learning_minutes": 0,
        "prior_learning_reason": "A reason",
        **values,
    }
    with pytest.raises(ValidationError) as caught:
        otj_planning.save_otj_requirement(**arguments)
    assert field in caught.value.message_dict
    assert plan_state() == before


def test_prior_learning_cannot_be_taken_off_a_total_not_known_yet(apprenticeship, personas):
    assert apprenticeship.start_date >= dt.date(2025, 8, 1)
    with pytest.raises(ValidationError) as caught:
        otj_planning.save_otj_requirement(
            apprenticeship=apprenticeship,
            by=personas["tutor"],
            leave_weeks_per_year=Decimal("5.6"),
            prior_learning_minutes=600,
            prior_learning_reason="A certificate",
        )
    assert "not known yet" in caught.value.message_dict["prior_learning_minutes"][0]


def duty_ids(apprenticeship):
    return list(
        apprenticeship.standard_version.duties.order_by("number").values_list("pk", flat=True)
    )


def test_the_tutor_splits_the_total_across_duties(known, personas):
    d1, d2, d3 = duty_ids(known)
    otj_planning.save_otj_split(
        apprenticeship=known,
        by=personas["tutor"],
        allocations={d1: 10_000, d2: 6_880, d3: 4_000},
    )
    summary = otj_summary(known)
    assert summary.split_source == "custom"
    assert [line.figures.required for line in summary.duties] == [10_000, 6_880, 4_000]
    assert AuditEvent.objects.filter(action="otj.split_changed").exists()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ((10_000, 6_880, 4_001), "1 minute too many"),
        ((10_000, 6_000, 4_000), "14 hours 40 minutes too few"),
    ],
)
def test_a_split_that_does_not_add_up_is_refused_and_nothing_is_saved(
    known, personas, minutes, message
):
    before = plan_state()
    with pytest.raises(ValidationError) as caught:
        otj_planning.save_otj_split(
            apprenticeship=known,
            by=personas["tutor"],
            allocations=dict(zip(duty_ids(known), minutes, strict=True)),
        )
    assert message in caught.value.messages[0]
    assert "Nothing was saved" in caught.value.messages[0]
    assert plan_state() == before


def test_a_split_must_cover_every_duty_of_the_standard(known, personas):
    d1, d2, _ = duty_ids(known)
    with pytest.raises(OtjError):
        otj_planning.save_otj_split(
            apprenticeship=known, by=personas["tutor"], allocations={d1: 10_000, d2: 10_880}
        )


def test_a_saved_split_is_scaled_when_prior_learning_changes_the_total(known, personas):
    d1, d2, d3 = duty_ids(known)
    otj_planning.save_otj_split(
        apprenticeship=known,
        by=personas["tutor"],
        allocations={d1: 10_440, d2: 6_960, d3: 3_480},  # 3 : 2 : 1
    )
    otj_planning.save_otj_requirement(
        apprenticeship=known,
        by=personas["tutor"],
        leave_weeks_per_year=Decimal("5.6"),
        prior_learning_minutes=48 * 60,
        prior_learning_reason="Prior certificate",
    )
    summary = otj_summary(known)
    # 18,000 minutes shared 3 : 2 : 1.
    assert [line.figures.required for line in summary.duties] == [9_000, 6_000, 3_000]
    assert not summary.split_needs_review


def test_a_split_is_flagged_when_the_total_changes_elsewhere(known, personas):
    d1, d2, d3 = duty_ids(known)
    otj_planning.save_otj_split(
        apprenticeship=known,
        by=personas["tutor"],
        allocations={d1: 10_440, d2: 6_960, d3: 3_480},
    )
    # The provider admin changes the contracted hours to 15: 20% of 15 over the same
    # plan is 174 hours.
    Apprenticeship.objects.filter(pk=known.pk).update(contracted_weekly_hours=Decimal("15"))
    known.refresh_from_db()
    summary = otj_summary(known)
    assert summary.total.required == 174 * 60
    assert summary.split_needs_review
    assert sum(line.figures.required for line in summary.duties) == 174 * 60


def test_going_back_to_the_default_split(known, personas):
    d1, d2, d3 = duty_ids(known)
    otj_planning.save_otj_split(
        apprenticeship=known, by=personas["tutor"], allocations={d1: 20_880, d2: 0, d3: 0}
    )
    otj_planning.use_default_split(apprenticeship=known, by=personas["admin"])
    summary = otj_summary(known)
    assert summary.split_source == "standard"
    assert [line.figures.required for line in summary.duties] == [6960, 6960, 6960]


# -- breaks in learning ----------------------------------------------------------------


def record(apprenticeship, by, **values):
    return otj_planning.record_break_in_learning(apprenticeship=apprenticeship, by=by, **values)


def break_state():
    return (
        list(BreakInLearning.objects.order_by("pk").values()),
        AuditEvent.objects.filter(action__startswith="break.").count(),
    )


def test_a_break_moves_the_planned_end_and_pauses_the_pace(known, personas):
    today = dt.date(2025, 3, 3)  # 182 days in
    before = otj_summary(known, today=today)
    record(
        known,
        personas["tutor"],
        start_date=dt.date(2025, 1, 6),
        end_date=dt.date(2025, 1, 19),
        today=today,
    )
    after = otj_summary(known, today=today)
    assert after.planned_end_with_breaks == known.planned_end_date + dt.timedelta(days=14)
    # 20,880 x 182 / 455 = 8,352 before; 20,880 x 168 / 455 = 7,709.5 -> 7,709 after.
    assert (before.total.expected, after.total.expected) == (8352, 7709)
    assert AuditEvent.objects.filter(action="break.recorded").exists()


def test_a_break_without_a_return_date_shows_as_current(known, personas):
    today = dt.date(2025, 3, 3)
    record(known, personas["tutor"], start_date=dt.date(2025, 2, 24), end_date=None, today=today)
    summary = otj_summary(known, today=today)
    assert summary.current_break == (dt.date(2025, 2, 24), None)
    assert summary.total.projection.reason in ("on_break", "nothing_logged")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(2024, 8, 1), None, "starts on or after that day"),
        (dt.date(2025, 3, 10), None, "in the future"),
        (dt.date(2025, 2, 1), dt.date(2025, 1, 31), "before its first day"),
    ],
)
def test_bad_breaks_are_refused_and_change_nothing(known, personas, start, end, message):
    before = break_state()
    with pytest.raises(ValidationError) as caught:
        record(known, personas["tutor"], start_date=start, end_date=end, today=dt.date(2025, 3, 3))
    assert message in " ".join(caught.value.messages)
    assert break_state() == before


def test_breaks_cannot_overlap(known, personas):
    today = dt.date(2025, 3, 3)
    record(known, personas["tutor"], start_date=dt.date(2025, 1, 6), end_date=None, today=today)
    before = break_state()
    with pytest.raises(ValidationError, match="overlaps the break"):
        record(
            known,
            personas["tutor"],
            start_date=dt.date(2025, 2, 1),
            end_date=dt.date(2025, 2, 2),
            today=today,
        )
    assert break_state() == before


def test_a_break_cannot_cover_logged_training(known, personas):
    factories.OtjEntryFactory(apprenticeship=known, date=dt.date(2025, 1, 10))
    before = break_state()
    with pytest.raises(ValidationError, match="1 off-the-job entry is logged during this break"):
        record(
            known,
            personas["tutor"],
            start_date=dt.date(2025, 1, 6),
            end_date=dt.date(2025, 1, 19),
            today=dt.date(2025, 3, 3),
        )
    assert break_state() == before


def test_recording_the_return_date(known, personas):
    today = dt.date(2025, 3, 3)
    brk = record(
        known, personas["tutor"], start_date=dt.date(2025, 2, 3), end_date=None, today=today
    )
    otj_planning.change_break_in_learning(
        brk=brk,
        by=personas["admin"],
        start_date=brk.start_date,
        end_date=dt.date(2025, 2, 16),
        today=today,
    )
    brk.refresh_from_db()
    assert brk.end_date == dt.date(2025, 2, 16)
    event = AuditEvent.objects.get(action="break.changed")
    assert event.after == {"end_date": "2025-02-16"}


def test_cancelling_a_break_keeps_it_with_the_reason(known, personas):
    today = dt.date(2025, 3, 3)
    brk = record(
        known, personas["tutor"], start_date=dt.date(2025, 2, 3), end_date=None, today=today
    )
    with pytest.raises(ValidationError):
        otj_planning.cancel_break_in_learning(brk=brk, by=personas["tutor"], reason="  ")
    otj_planning.cancel_break_in_learning(
        brk=brk, by=personas["tutor"], reason="Recorded on the wrong apprentice"
    )
    brk.refresh_from_db()
    assert not brk.is_active and brk.cancel_reason == "Recorded on the wrong apprentice"
    assert otj_summary(known, today=today).breaks == []


def test_breaks_cannot_change_after_gateway(known, personas):
    known.status = Apprenticeship.Status.GATEWAY
    known.save(update_fields=["status"])
    with pytest.raises(OtjError, match="passed gateway"):
        record(known, personas["tutor"], start_date=dt.date(2025, 1, 6), end_date=None)


def test_the_plan_cannot_change_after_gateway(known, personas):
    known.status = Apprenticeship.Status.GATEWAY
    known.save(update_fields=["status"])
    before = plan_state()
    with pytest.raises(OtjError, match="training plan can no longer change"):
        otj_planning.save_otj_requirement(
            apprenticeship=known,
            by=personas["tutor"],
            leave_weeks_per_year=Decimal("0"),
            prior_learning_minutes=0,
            prior_learning_reason="",
        )
    assert plan_state() == before
