"""The off-the-job arithmetic, worked by hand: the split across duties, the expected pace,
being behind, the projected finish, breaks in learning and prior learning."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portfolio.training import plan as otj_plan
from portfolio.training.plan import Pace, PlanInputs, ProjectionReason

# A 2022-25 full-time plan: 455 days (65 weeks), 348 hours required (see test_otj_rules).
START = dt.date(2023, 9, 4)
END = dt.date(2024, 12, 2)
REQUIRED = 348 * 60  # 20,880 minutes
ST0896_WEIGHTS = [Decimal(w) for w in (4, 5, 8, 4, 5, 4, 2, 4, 4, 4)]  # 44 days in all


def test_split_follows_the_weights_and_adds_up_exactly():
    # 20,880 x 4/44 = 1,898.18; x 5/44 = 2,372.73; x 8/44 = 3,796.36; x 2/44 = 949.09.
    # Whole minutes: 20,877, so the 3 leftover minutes go to the largest remainders
    # (D2 and D5 at .73, then D3 at .36).
    shares = otj_plan.split_minutes(REQUIRED, ST0896_WEIGHTS)
    assert shares == [1898, 2373, 3797, 1898, 2373, 1898, 949, 1898, 1898, 1898]
    assert sum(shares) == REQUIRED


def test_split_with_no_weights_is_equal_and_earlier_duties_take_the_leftover():
    assert otj_plan.split_minutes(10, [None, None, None]) == [4, 3, 3]
    assert otj_plan.split_minutes(10, [0, 0]) == [5, 5]
    assert otj_plan.split_minutes(7, []) == []


def test_split_treats_blank_weights_as_nothing():
    assert otj_plan.split_minutes(600, [Decimal(1), None, Decimal(2)]) == [200, 0, 400]


@given(
    total=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
        min_size=1,
        max_size=15,
    ),
)
def test_split_always_adds_up_to_the_total(total, weights):
    shares = otj_plan.split_minutes(total, weights)
    assert sum(shares) == total
    assert all(share >= 0 for share in shares)


def test_prior_learning_reduces_the_total_but_not_below_nothing():
    assert otj_plan.required_after_prior_learning(REQUIRED, 48 * 60) == 300 * 60
    assert otj_plan.required_after_prior_learning(600, 900) == 0
    assert otj_plan.required_after_prior_learning(None, 60) is None


def expected_by(today, spans):
    inputs = PlanInputs(
        required=REQUIRED, start=START, planned_end=END, today=today, spans=tuple(spans)
    )
    return otj_plan.total_figures(inputs, logged=0, verified=0).expected


def test_expected_by_today_is_an_even_pace_over_the_plan():
    # 13 weeks (91 days) into 455: 20,880 x 91 / 455 = 4,176 minutes (69 h 36 min).
    today = START + dt.timedelta(days=91)
    assert expected_by(today, []) == 4176


def test_a_break_pauses_the_expected_pace():
    # 91 days in, 14 of them on a break: 77 learning days. 20,880 x 77 / 455 = 3,533.6
    # -> 3,533 minutes.
    today = START + dt.timedelta(days=91)
    spans = [(START + dt.timedelta(days=30), START + dt.timedelta(days=43))]
    assert expected_by(today, spans) == 3533


def test_expected_never_passes_the_total_after_the_planned_end():
    today = END + dt.timedelta(days=40)
    assert expected_by(today, []) == REQUIRED


def test_behind_means_more_than_a_weeks_worth_short():
    # A week's worth: 20,880 x 7 / 455 = 321 minutes. Expected 4,176 at day 91.
    margin = otj_plan.behind_margin(REQUIRED, 455)
    assert margin == 321
    behind = otj_plan.pace_state(required=REQUIRED, logged=3800, expected=4176, margin=margin)
    near = otj_plan.pace_state(required=REQUIRED, logged=3900, expected=4176, margin=margin)
    assert (behind, near) == (Pace.BEHIND, Pace.ON_TRACK)


def test_states_for_done_unknown_not_started_and_closed():
    assert otj_plan.pace_state(required=600, logged=600, expected=0, margin=9) == Pace.DONE
    assert otj_plan.pace_state(required=None, logged=60, expected=None, margin=0) == (
        Pace.NOT_KNOWN
    )
    assert otj_plan.pace_state(required=600, logged=0, expected=0, margin=9, started=False) == (
        Pace.NOT_STARTED
    )
    assert otj_plan.pace_state(required=600, logged=100, expected=600, margin=9, closed=True) == (
        Pace.SHORT
    )


def test_projected_finish_at_the_current_pace():
    # 4,176 logged in 91 learning days; 16,704 to go at that pace takes 16,704 x 91 /
    # 4,176 = 364 days: the planned end exactly.
    today = START + dt.timedelta(days=91)
    projection = otj_plan.projected_finish(
        required=REQUIRED, logged=4176, days_so_far=91, today=today, spans=[]
    )
    assert projection.reason == ProjectionReason.DATE
    assert projection.finish == END


def test_projected_finish_skips_a_break_already_booked():
    today = START + dt.timedelta(days=91)
    booked = [(today + dt.timedelta(days=10), today + dt.timedelta(days=23))]  # 14 days
    projection = otj_plan.projected_finish(
        required=REQUIRED, logged=4176, days_so_far=91, today=today, spans=booked
    )
    assert projection.finish == END + dt.timedelta(days=14)


def test_projected_finish_is_paused_during_a_break_with_no_return_date():
    today = START + dt.timedelta(days=91)
    projection = otj_plan.projected_finish(
        required=REQUIRED,
        logged=4176,
        days_so_far=80,
        today=today,
        spans=[(today - dt.timedelta(days=11), None)],
    )
    assert projection == otj_plan.Projection(None, ProjectionReason.ON_BREAK)


def test_no_projection_without_a_pace_or_a_total():
    today = START + dt.timedelta(days=91)
    nothing = otj_plan.projected_finish(
        required=REQUIRED, logged=0, days_so_far=91, today=today, spans=[]
    )
    unknown = otj_plan.projected_finish(
        required=None, logged=600, days_so_far=91, today=today, spans=[]
    )
    slow = otj_plan.projected_finish(
        required=REQUIRED, logged=1, days_so_far=91, today=today, spans=[]
    )
    assert nothing.reason == ProjectionReason.NOTHING_LOGGED
    assert unknown.reason == ProjectionReason.NOT_KNOWN
    assert slow.reason == ProjectionReason.TOO_FAR


def test_figures_per_duty_add_up_to_the_total():
    today = START + dt.timedelta(days=91)
    weights = ST0896_WEIGHTS[:3]
    total, duties = otj_plan.figures(
        PlanInputs(required=REQUIRED, start=START, planned_end=END, today=today, spans=()),
        weights=weights,
        logged=[600, 2000, 0],
        verified=[600, 1000, 0],
    )
    assert total.required == REQUIRED
    assert sum(d.required for d in duties) == REQUIRED
    assert total.expected == 4176
    assert sum(d.expected for d in duties) == 4176
    assert (total.logged, total.verified, total.pending) == (2600, 1600, 1000)
    # Duty 3 has nothing logged and is more than a week behind its share.
    assert duties[2].state == Pace.BEHIND
    assert duties[2].projection.reason == ProjectionReason.NOTHING_LOGGED


def test_figures_part_time_with_prior_learning_and_a_break():
    # 22.5 hours, 2022-25 rules: 402 hours over 700 days (see test_otj_rules). Prior
    # learning of 52 hours leaves 350 hours = 21,000 minutes. 140 days in, with a 35-day
    # break: 105 learning days. Expected 21,000 x 105 / 700 = 3,150. A week's worth is
    # 21,000 x 7 / 700 = 210. Logged 2,900: 250 short, so behind.
    start, end = dt.date(2023, 9, 4), dt.date(2025, 8, 4)
    required = otj_plan.required_after_prior_learning(402 * 60, 52 * 60)
    today = start + dt.timedelta(days=140)
    spans = ((start + dt.timedelta(days=50), start + dt.timedelta(days=84)),)
    total, _ = otj_plan.figures(
        PlanInputs(required=required, start=start, planned_end=end, today=today, spans=spans),
        weights=[1],
        logged=[2900],
        verified=[0],
    )
    assert required == 21_000
    assert total.expected == 3150
    assert total.shortfall == 250
    assert total.state == Pace.BEHIND


def test_figures_when_the_log_has_closed_expect_the_whole_total():
    today = END + dt.timedelta(days=10)
    total, _ = otj_plan.figures(
        PlanInputs(
            required=REQUIRED, start=START, planned_end=END, today=today, spans=(), closed=True
        ),
        weights=[1],
        logged=[REQUIRED - 60],
        verified=[0],
    )
    assert total.expected == REQUIRED
    assert total.state == Pace.SHORT
    assert total.projection.reason == ProjectionReason.CLOSED
