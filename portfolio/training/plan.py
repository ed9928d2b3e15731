"""The off-the-job arithmetic: the split across duties, the expected pace, the projected
finish and the on-track state. Pure functions over whole minutes and dates, no database,
so every figure can be worked out by hand and tested that way.

The required total itself comes from the national rules in apprenticeship.funding_rules.
Breaks in learning are (first day, last day or None) spans, as funding_rules describes.
"""

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from apprenticeship.funding_rules import Span, break_days, days_on_programme, on_break

# A projection further out than this says "not at the current pace" instead of a date.
MAX_PROJECTION_DAYS = 10 * 366


class Pace(StrEnum):
    NOT_KNOWN = "not_known"
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    DONE = "done"
    SHORT = "short"  # the log has closed (gateway or withdrawal) short of the total
    # From 1 August 2025 training may be delivered unevenly: without the tutor's schedule
    # the pace is shown for information, with no judgement of behind or on track.
    NO_SCHEDULE = "no_schedule"

    @property
    def label(self) -> str:
        return PACE_LABELS[self]


PACE_LABELS = {
    Pace.NOT_KNOWN: "Required total not known yet",
    Pace.NOT_STARTED: "Not started yet",
    Pace.ON_TRACK: "On track",
    Pace.BEHIND: "Behind",
    Pace.DONE: "Done",
    Pace.SHORT: "Closed short of the total",
    Pace.NO_SCHEDULE: "No schedule planned",
}


class ProjectionReason(StrEnum):
    DATE = "date"
    DONE = "done"
    NOT_KNOWN = "not_known"
    NOTHING_LOGGED = "nothing_logged"
    ON_BREAK = "on_break"
    TOO_FAR = "too_far"
    CLOSED = "closed"


@dataclass(frozen=True)
class Projection:
    finish: dt.date | None
    reason: ProjectionReason


@dataclass(frozen=True)
class Figures:
    """Required, logged, verified and expected minutes for one duty or the total."""

    required: int | None
    logged: int
    verified: int
    expected: int | None
    state: Pace
    projection: Projection

    @property
    def pending(self) -> int:
        return self.logged - self.verified

    @property
    def shortfall(self) -> int:
        """Minutes short of the expected amount by today (0 when ahead)."""
        return 0 if self.expected is None else max(0, self.expected - self.logged)


def split_minutes(total: int, weights: Sequence[Decimal | int | None]) -> list[int]:
    """Share `total` minutes in proportion to `weights`, in whole minutes that add up to
    `total` exactly. Blank or negative weights count as 0; if every weight is 0 the total
    is shared equally. Leftover minutes go to the largest remainders, earlier first."""
    if not weights:
        return []
    clean = [max(Fraction(w), Fraction(0)) if w is not None else Fraction(0) for w in weights]
    whole = sum(clean)
    if whole == 0:
        clean, whole = [Fraction(1)] * len(clean), Fraction(len(clean))
    exact = [total * w / whole for w in clean]
    shares = [math.floor(x) for x in exact]
    leftover = total - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:leftover]:
        shares[i] += 1
    return shares


def required_after_prior_learning(required: int | None, prior_learning: int) -> int | None:
    """Recognised prior learning reduces the total, never below nothing."""
    if required is None:
        return None
    return max(0, required - prior_learning)


def learning_days(
    *, start: dt.date, planned_end: dt.date, today: dt.date, spans: Iterable[Span]
) -> int:
    """Days of learning so far: from the start to today, less breaks, at most the plan."""
    planned = (planned_end - start).days
    return min(days_on_programme(start, list(spans), today=today), planned)


def behind_margin(required: int, planned_days: int) -> int:
    """One week's worth of training at the plan's pace: being short by more is 'behind'."""
    return required * 7 // planned_days


def pace_state(
    *,
    required: int | None,
    logged: int,
    expected: int | None,
    margin: int,
    started: bool = True,
    closed: bool = False,
    judged: bool = True,
) -> Pace:
    """`judged` is False when there is nothing to judge the pace against (an uneven
    delivery with no schedule planned)."""
    if required is None:
        return Pace.NOT_KNOWN
    if logged >= required:
        return Pace.DONE
    if closed:
        return Pace.SHORT
    if not started:
        return Pace.NOT_STARTED
    if not judged:
        return Pace.NO_SCHEDULE
    if expected is not None and expected - logged > margin:
        return Pace.BEHIND
    return Pace.ON_TRACK


def add_learning_days(day: dt.date, count: int, spans: Iterable[Span]) -> dt.date | None:
    """The first date by which `count` learning days have passed, counting from `day` and
    skipping breaks. None when a break with no return date is in the way."""
    position, needed = day, count
    for first, last in sorted(spans, key=lambda span: span[0]):
        if last is not None and last < position:
            continue
        gap = max(0, (first - position).days)
        if gap >= needed:
            return position + dt.timedelta(days=needed)
        needed -= gap
        if last is None:
            return None
        position = max(position, last + dt.timedelta(days=1))
    return position + dt.timedelta(days=needed)


def projected_finish(
    *,
    required: int | None,
    logged: int,
    days_so_far: int,
    today: dt.date,
    spans: Iterable[Span],
    closed: bool = False,
) -> Projection:
    """When `required` minutes will have been logged if the pace so far carries on."""
    spans = list(spans)
    if required is None:
        return Projection(None, ProjectionReason.NOT_KNOWN)
    if logged >= required:
        return Projection(None, ProjectionReason.DONE)
    if closed:
        return Projection(None, ProjectionReason.CLOSED)
    if logged <= 0 or days_so_far <= 0:
        return Projection(None, ProjectionReason.NOTHING_LOGGED)
    current = on_break(spans, today=today)
    if current is not None and current[1] is None:
        return Projection(None, ProjectionReason.ON_BREAK)
    days_needed = -(-(required - logged) * days_so_far // logged)
    if days_needed > MAX_PROJECTION_DAYS:
        return Projection(None, ProjectionReason.TOO_FAR)
    finish = add_learning_days(today, days_needed, spans)
    if finish is None:
        return Projection(None, ProjectionReason.ON_BREAK)
    return Projection(finish, ProjectionReason.DATE)


@dataclass(frozen=True)
class PlanInputs:
    """Everything the figures depend on, as plain values."""

    required: int | None  # after prior learning
    start: dt.date
    planned_end: dt.date
    today: dt.date
    spans: tuple[Span, ...]
    closed: bool = False  # past gateway, or withdrawn: nothing more counts
    # From 1 August 2025 delivery may be uneven: "behind" then compares with the tutor's
    # schedule, given per duty as the minutes it plans by today (None: no schedule).
    uneven: bool = False
    scheduled: tuple[int, ...] | None = None


def figures(
    inputs: PlanInputs,
    *,
    weights: Sequence[Decimal | int | None],
    logged: Sequence[int],
    verified: Sequence[int],
) -> tuple[Figures, list[Figures]]:
    """The total and per-duty figures. `weights`, `logged` and `verified` are per duty, in
    the same order. The duties' required and expected minutes are the total's split by
    `weights`, so they always add up to the total's."""
    planned_days = (inputs.planned_end - inputs.start).days
    started = inputs.today > inputs.start
    days_so_far = learning_days(
        start=inputs.start, planned_end=inputs.planned_end, today=inputs.today, spans=inputs.spans
    )
    required = inputs.required
    scheduled = inputs.scheduled if inputs.uneven else None
    if required is None:
        expected = None
    elif inputs.closed:
        expected = required
    elif scheduled is not None:
        expected = sum(scheduled)
    else:
        expected = required * days_so_far // planned_days
    duty_required = (
        split_minutes(required, weights) if required is not None else [None] * len(weights)
    )
    if scheduled is not None and required is not None and not inputs.closed:
        duty_expected: list[int | None] = list(scheduled)
    elif expected is not None:
        duty_expected = list(split_minutes(expected, weights))
    else:
        duty_expected = [None] * len(weights)
    judged = not inputs.uneven or scheduled is not None

    def line(req: int | None, done: int, checked: int, exp: int | None) -> Figures:
        return Figures(
            required=req,
            logged=done,
            verified=checked,
            expected=exp,
            state=pace_state(
                required=req,
                logged=done,
                expected=exp,
                margin=0 if req is None else behind_margin(req, planned_days),
                started=started,
                closed=inputs.closed,
                judged=judged,
            ),
            projection=projected_finish(
                required=req,
                logged=done,
                days_so_far=days_so_far,
                today=inputs.today,
                spans=inputs.spans,
                closed=inputs.closed,
            ),
        )

    duties = [
        line(req, done, checked, exp)
        for req, done, checked, exp in zip(
            duty_required, logged, verified, duty_expected, strict=True
        )
    ]
    total = line(required, sum(logged), sum(verified), expected)
    return total, duties


def total_figures(inputs: PlanInputs, *, logged: int, verified: int) -> Figures:
    """The total alone, for lists: the same arithmetic as `figures`, which works the total
    out from the duties' sums in exactly this way. A schedule is given as one total."""
    if inputs.scheduled is not None:
        inputs = replace(inputs, scheduled=(sum(inputs.scheduled),))
    total, _ = figures(inputs, weights=[1], logged=[logged], verified=[verified])
    return total


def month_days(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def expected_from_schedule(months: Iterable[tuple[dt.date, int]], *, today: dt.date) -> int:
    """Minutes a schedule plans by today: every month before this one in full, and this
    month's share for the days before today (rounded down to the minute)."""
    this_month = today.replace(day=1)
    total = 0
    for month, minutes in months:
        if month < this_month:
            total += minutes
        elif month == this_month:
            total += minutes * (today.day - 1) // month_days(month)
    return total


@dataclass(frozen=True)
class Gap:
    """A stretch with no off-the-job training logged: from `first` to `last` (both days
    included), `days` learning days long (days on a break in learning left out)."""

    first: dt.date
    last: dt.date
    days: int
    ongoing: bool  # it runs up to today

    @property
    def weeks(self) -> int:
        return self.days // 7


def learning_gaps(
    training_days: Iterable[dt.date],
    *,
    start: dt.date,
    today: dt.date,
    spans: Iterable[Span],
    longer_than: int,
) -> list[Gap]:
    """Every stretch of more than `longer_than` learning days with no training logged, from
    the start to today. A stretch still going on today ends today."""
    spans = list(spans)
    days = sorted({day for day in training_days if start <= day <= today})
    gaps = []
    previous = start - dt.timedelta(days=1)
    ends = [(day, False) for day in days] + [(today + dt.timedelta(days=1), True)]
    for next_day, ongoing in ends:
        first, last = previous + dt.timedelta(days=1), next_day - dt.timedelta(days=1)
        if last >= first:
            length = (
                (last - first).days + 1 - break_days(spans, first=first, last=last, today=today)
            )
            if length > longer_than:
                gaps.append(Gap(first=first, last=last, days=length, ongoing=ongoing))
        previous = next_day
    return gaps
