"""otj_summary, the one place the figures come from, and otj_totals, the same figures for a
page of a list: totals are the entries' sum, and the two always agree."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprenticeship.models import Apprenticeship, Role
from portfolio.training.caseload import otj_totals
from portfolio.training.models import ActivityType, OtjEntry, OtjPlan
from portfolio.training.plan import Pace
from portfolio.training.selectors import SplitSource, otj_summary
from portfolio.training.services.standing import refresh_otj_standing
from tests import factories

STATUSES = [s.value for s in OtjEntry.Status]


@pytest.fixture
def duties(apprenticeship):
    return list(apprenticeship.standard_version.duties.order_by("number"))


entry_strategy = st.fixed_dictionaries(
    {
        "duty": st.integers(min_value=0, max_value=2),
        "minutes": st.integers(min_value=1, max_value=600),
        "status": st.sampled_from(STATUSES),
        "english_maths": st.booleans(),
        "current": st.booleans(),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=st.lists(entry_strategy, max_size=25))
def test_the_reported_totals_are_always_the_sum_of_the_entries(apprenticeship, duties, entries):
    OtjEntry.objects.filter(apprenticeship=apprenticeship).delete()
    day = apprenticeship.start_date + dt.timedelta(days=1)
    rows = []
    for item in entries:
        english_maths = item["english_maths"]
        decided = item["status"] != OtjEntry.Status.PENDING
        rows.append(
            OtjEntry(
                apprenticeship=apprenticeship,
                date=day,
                minutes=item["minutes"],
                activity_type=ActivityType.ENGLISH_MATHS if english_maths else ActivityType.OTHER,
                duty=duties[item["duty"]],
                description="Entry",
                status=item["status"],
                decided_at=apprenticeship.created_at if decided else None,
                rejection_reason="Reason" if item["status"] == OtjEntry.Status.REJECTED else "",
                lineage=uuid.uuid4(),
                is_current=item["current"],
                created_by=apprenticeship.apprentice,
            )
        )
    OtjEntry.objects.bulk_create(rows)
    # In bulk, past the log services: keep the standing as they would.
    refresh_otj_standing(apprenticeship_ids=[apprenticeship.pk])

    def counted(item, status=None):
        return (
            item["current"]
            and not item["english_maths"]
            and item["status"] != OtjEntry.Status.REJECTED
            and (status is None or item["status"] == status)
        )

    logged = sum(item["minutes"] for item in entries if counted(item))
    verified = sum(item["minutes"] for item in entries if counted(item, OtjEntry.Status.VERIFIED))
    summary = otj_summary(apprenticeship)
    assert summary.total.logged == logged
    assert summary.total.verified == verified
    assert sum(line.figures.logged for line in summary.duties) == logged
    assert sum(line.figures.verified for line in summary.duties) == verified
    for index, line in enumerate(summary.duties):
        assert line.figures.logged == sum(
            item["minutes"] for item in entries if counted(item) and item["duty"] == index
        )
    row = Apprenticeship.objects.select_related("standard_version").get(pk=apprenticeship.pk)
    listed = otj_totals([row])[row.pk].total
    assert (listed.logged, listed.verified) == (logged, verified)


# -- the list's figures agree with the page's ----------------------------------------

TODAY = dt.date(2025, 11, 3)


def enrolment(personas, *, start, days, hours, minimum=None, leave=None, prior=0, breaks=()):
    standard = factories.StandardVersionFactory(otj_minimum_hours=minimum)
    factories.DutyFactory(standard_version=standard, number=1)
    apprenticeship = factories.ApprenticeshipFactory(
        standard_version=standard,
        provider=personas["apprenticeship"].provider,
        start_date=start,
        planned_end_date=start + dt.timedelta(days=days),
        contracted_weekly_hours=Decimal(hours),
    )
    factories.MembershipFactory(apprenticeship=apprenticeship, user=personas["tutor"])
    if leave is not None or prior:
        OtjPlan.objects.create(
            apprenticeship=apprenticeship,
            leave_weeks_per_year=leave if leave is not None else Decimal("5.6"),
            prior_learning_minutes=prior,
            prior_learning_reason="Recognised" if prior else "",
        )
    for first, last in breaks:
        factories.BreakInLearningFactory(
            apprenticeship=apprenticeship,
            start_date=first,
            end_date=last,
            created_by=personas["tutor"],
        )
    return apprenticeship


def log_minutes(apprenticeship, minutes, *, status=OtjEntry.Status.PENDING):
    factories.OtjEntryFactory(
        apprenticeship=apprenticeship,
        date=apprenticeship.start_date + dt.timedelta(days=1),
        minutes=minutes,
        status=status,
        decided_at=None if status == OtjEntry.Status.PENDING else apprenticeship.created_at,
        rejection_reason="No" if status == OtjEntry.Status.REJECTED else "",
    )


CASES = [
    # (label, enrolment arguments, minutes logged)
    ("before 2022, full time", {"start": dt.date(2021, 9, 1), "days": 1600, "hours": "37.5"}, 0),
    ("before 2022, part time", {"start": dt.date(2021, 2, 1), "days": 1900, "hours": "16"}, 9000),
    ("2022-25, over 30 hours", {"start": dt.date(2024, 9, 2), "days": 455, "hours": "40"}, 8000),
    ("2022-25, part time", {"start": dt.date(2025, 1, 6), "days": 700, "hours": "22.5"}, 10300),
    # Expected 19,595 and a week's worth is 321: 19,274 is on track, 19,273 behind.
    (
        "exactly a week short",
        {"start": dt.date(2024, 9, 2), "days": 455, "hours": "40"},
        19274,
    ),
    (
        "a minute more than a week short",
        {"start": dt.date(2024, 9, 2), "days": 455, "hours": "40"},
        19273,
    ),
    (
        "2022-25, no leave",
        {"start": dt.date(2024, 9, 2), "days": 455, "hours": "30", "leave": 0},
        0,
    ),
    (
        "2022-25, prior learning and a break",
        {
            "start": dt.date(2024, 9, 2),
            "days": 500,
            "hours": "37.5",
            "prior": 3000,
            "breaks": [(dt.date(2025, 1, 6), dt.date(2025, 2, 16))],
        },
        12000,
    ),
    (
        "2022-25, on a break with no return date",
        {
            "start": dt.date(2024, 9, 2),
            "days": 455,
            "hours": "37.5",
            "breaks": [(dt.date(2025, 9, 1), None)],
        },
        1000,
    ),
    (
        "from 2025, minimum loaded",
        {"start": dt.date(2025, 8, 4), "days": 400, "hours": "30", "minimum": 300},
        0,
    ),
    ("from 2025, not loaded", {"start": dt.date(2025, 8, 4), "days": 400, "hours": "30"}, 600),
    (
        "prior learning covers it all",
        {"start": dt.date(2024, 9, 2), "days": 455, "hours": "37.5", "prior": 999_999},
        0,
    ),
    ("done", {"start": dt.date(2024, 9, 2), "days": 455, "hours": "37.5"}, 21_000),
    (
        "not started yet",
        {"start": dt.date(2025, 11, 10), "days": 455, "hours": "37.5", "minimum": 200},
        0,
    ),
]


EXPECTED_STATES = {
    "before 2022, full time": Pace.BEHIND,
    "before 2022, part time": Pace.BEHIND,
    "2022-25, over 30 hours": Pace.BEHIND,
    "2022-25, part time": Pace.ON_TRACK,
    "exactly a week short": Pace.ON_TRACK,
    "a minute more than a week short": Pace.BEHIND,
    "2022-25, no leave": Pace.BEHIND,
    "2022-25, prior learning and a break": Pace.BEHIND,
    "2022-25, on a break with no return date": Pace.BEHIND,
    # From August 2025 delivery may be uneven: with no schedule planned, no judgement.
    "from 2025, minimum loaded": Pace.NO_SCHEDULE,
    "from 2025, not loaded": Pace.NOT_KNOWN,
    "prior learning covers it all": Pace.DONE,
    "done": Pace.DONE,
    "not started yet": Pace.NOT_STARTED,
}


@pytest.mark.parametrize(("label", "arguments", "logged"), CASES, ids=[c[0] for c in CASES])
def test_the_caseload_figures_agree_with_the_summary(personas, label, arguments, logged):
    arguments = dict(arguments)
    if arguments.get("prior") == 999_999:
        arguments["prior"] = 500 * 60
    if "leave" in arguments:
        arguments["leave"] = Decimal(arguments["leave"])
    apprenticeship = enrolment(personas, **arguments)
    if logged:
        log_minutes(apprenticeship, min(logged, 24 * 60))
        rest = logged - min(logged, 24 * 60)
        while rest > 0:
            chunk = min(rest, 24 * 60)
            factories.OtjEntryFactory(
                apprenticeship=apprenticeship,
                date=apprenticeship.start_date + dt.timedelta(days=2 + rest // 1440),
                minutes=chunk,
            )
            rest -= chunk
    log_minutes(apprenticeship, 500, status=OtjEntry.Status.REJECTED)
    row = Apprenticeship.objects.select_related("standard_version").get(pk=apprenticeship.pk)
    listed = otj_totals([row], today=TODAY)[row.pk].total
    summary = otj_summary(row, today=TODAY)
    assert listed == summary.total
    assert listed.logged == logged
    assert summary.total.state == EXPECTED_STATES[label]


def test_the_list_marks_who_is_behind(personas):
    behind = enrolment(personas, start=dt.date(2024, 9, 2), days=455, hours="37.5")
    ahead = enrolment(personas, start=dt.date(2024, 9, 2), days=455, hours="37.5")
    for day in range(20):
        factories.OtjEntryFactory(
            apprenticeship=ahead, date=dt.date(2024, 10, 1) + dt.timedelta(days=day), minutes=900
        )
    totals = otj_totals(
        Apprenticeship.objects.select_related("standard_version").filter(
            pk__in=[behind.pk, ahead.pk]
        ),
        today=dt.date(2025, 3, 3),
    )
    flags = {pk: row.total.state == Pace.BEHIND for pk, row in totals.items()}
    assert flags == {behind.pk: True, ahead.pk: False}


def test_the_summary_reads_a_fixed_number_of_queries(
    apprenticeship, personas, django_assert_num_queries
):
    apprenticeship.standard_version.otj_minimum_hours = 200
    apprenticeship.standard_version.save()
    apprenticeship = Apprenticeship.objects.select_related("standard_version").get(
        pk=apprenticeship.pk
    )
    with django_assert_num_queries(4):
        otj_summary(apprenticeship)
    for day in range(60):
        factories.OtjEntryFactory(
            apprenticeship=apprenticeship,
            date=apprenticeship.start_date + dt.timedelta(days=day),
            minutes=60,
        )
    factories.BreakInLearningFactory(
        apprenticeship=apprenticeship,
        start_date=apprenticeship.start_date + dt.timedelta(days=100),
        created_by=personas["tutor"],
    )
    with django_assert_num_queries(4):
        summary = otj_summary(apprenticeship)
    assert summary.total.logged == 3600


def test_the_tutors_own_split_is_read_only_when_the_plan_uses_it(
    apprenticeship, django_assert_num_queries
):
    apprenticeship.standard_version.otj_minimum_hours = 200
    apprenticeship.standard_version.save()
    duty = factories.DutyFactory(standard_version=apprenticeship.standard_version)
    plan = factories.OtjPlanFactory(apprenticeship=apprenticeship)
    factories.OtjAllocationFactory(plan=plan, duty=duty, minutes=600)
    apprenticeship = Apprenticeship.objects.select_related("standard_version").get(
        pk=apprenticeship.pk
    )
    # With a plan (a 2025 start), its month-by-month schedule is read too.
    with django_assert_num_queries(5):
        summary = otj_summary(apprenticeship)
    assert summary.split_source != SplitSource.CUSTOM
    plan.has_custom_split = True
    plan.save()
    # One more query: the tutor's minutes per duty, which the split then follows.
    with django_assert_num_queries(6):
        summary = otj_summary(apprenticeship)
    assert summary.split_source == SplitSource.CUSTOM
    # All of the tutor's minutes are on the one duty, so all the required total is too.
    assert summary.total.required is not None
    for line in summary.duties:
        expected = summary.total.required if line.duty_id == duty.pk else 0
        assert line.figures.required == expected


def test_the_employer_verifying_moves_the_verified_total(apprenticeship, personas):
    from portfolio.training.services import log as otj_log

    entry = factories.OtjEntryFactory(apprenticeship=apprenticeship, minutes=75)
    assert otj_summary(apprenticeship).total.verified == 0
    otj_log.verify_otj_entry(entry=entry, by=personas["employer"], as_role=Role.EMPLOYER)
    summary = otj_summary(apprenticeship)
    assert summary.total.verified == 75
    assert not summary.verified_complete  # the required total is not known yet
    apprenticeship.standard_version.otj_minimum_hours = 1
    assert otj_summary(apprenticeship).verified_complete
