"""Off-the-job training: the training plan (the required total and its split across the
duties) and breaks in learning. Each change is recorded with `record_event` in the same
transaction, with the apprenticeship row locked."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship import funding_rules
from apprenticeship.models import Apprenticeship, BreakInLearning
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.changes import end_row, snapshot
from audit.services import record_event
from portfolio.training import plan as otj_plan
from portfolio.training.errors import OtjError
from portfolio.training.formatting import day_text, format_minutes
from portfolio.training.models import OtjAllocation, OtjEntry, OtjPlan, OtjPlannedMonth
from portfolio.training.selectors import BREAKS_CLOSED, break_spans, log_is_closed, requirement_for
from standards.models import Duty

PLAN_CLOSED = "the training plan can no longer change"


def _refuse_if_closed(apprenticeship: Apprenticeship) -> None:
    closed = log_is_closed(apprenticeship, PLAN_CLOSED)
    if closed:
        raise OtjError(closed)


# -- the training plan -----------------------------------------------------------------


def _plan_snapshot(plan: OtjPlan) -> dict:
    return {
        "leave_weeks_per_year": str(plan.leave_weeks_per_year),
        "prior_learning_minutes": plan.prior_learning_minutes,
        "prior_learning_reason": plan.prior_learning_reason,
        "has_custom_split": plan.has_custom_split,
        "split": {str(a.duty_id): a.minutes for a in plan.allocations.all()} if plan.pk else {},
    }


def _duties(apprenticeship: Apprenticeship) -> list[Duty]:
    return list(
        Duty.objects.current().filter(standard_version_id=apprenticeship.standard_version_id)
    )


@transaction.atomic
def save_otj_requirement(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    leave_weeks_per_year: Decimal,
    prior_learning_minutes: int,
    prior_learning_reason: str,
) -> OtjPlan:
    """Set the statutory leave the rule leaves out and the recognised prior learning that
    reduces the total. A split the tutor saved is scaled to the new total, so it still
    adds up."""
    locked = lock_apprenticeship(apprenticeship)
    _refuse_if_closed(locked)
    plan, _ = OtjPlan.objects.select_for_update().get_or_create(apprenticeship=locked)
    before = _plan_snapshot(plan)
    reason = prior_learning_reason.strip()
    errors: dict[str, str] = {}
    if Decimal(0) <= leave_weeks_per_year <= funding_rules.MAX_LEAVE_WEEKS:
        plan.leave_weeks_per_year = leave_weeks_per_year
    else:
        errors["leave_weeks_per_year"] = "Statutory leave is between 0 and 10 weeks a year."
    base = requirement_for(locked, plan)
    if prior_learning_minutes < 0:
        errors["prior_learning_minutes"] = "Prior learning cannot be negative."
    elif prior_learning_minutes and base.minutes is None:
        errors["prior_learning_minutes"] = (
            "The required total is not known yet, so prior learning cannot be taken off it."
        )
    elif base.minutes is not None and prior_learning_minutes > base.minutes:
        errors["prior_learning_minutes"] = (
            f"Prior learning cannot be more than the required total of "
            f"{format_minutes(base.minutes)}."
        )
    elif (
        prior_learning_minutes
        and base.minutes is not None
        and base.era == funding_rules.OTJ_ERA_FROM_2025
        and base.minutes - prior_learning_minutes < funding_rules.OTJ_FLOOR_HOURS_FROM_2025 * 60
    ):
        floor = funding_rules.OTJ_FLOOR_HOURS_FROM_2025
        errors["prior_learning_minutes"] = (
            f"For starts from 1 August 2025 the funding rules set a floor of {floor} hours of "
            "off-the-job training, which recognised prior learning cannot reduce: with this "
            f"prior learning the total would be "
            f"{format_minutes(base.minutes - prior_learning_minutes)}. Take off at most "
            f"{format_minutes(max(0, base.minutes - floor * 60))}."
        )
    if prior_learning_minutes and not reason:
        errors["prior_learning_reason"] = (
            "Say what prior learning was recognised and how (for example the qualification "
            "and the assessment that confirmed it)."
        )
    if errors:
        raise ValidationError(errors)
    plan.prior_learning_minutes = prior_learning_minutes
    plan.prior_learning_reason = reason if prior_learning_minutes else ""
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.full_clean()
    plan.save()
    required = otj_plan.required_after_prior_learning(base.minutes, plan.prior_learning_minutes)
    if plan.has_custom_split and required is not None:
        duties = _duties(locked)
        allocations = {a.duty_id: a for a in plan.allocations.all()}
        shares = otj_plan.split_minutes(
            required, [allocations[d.pk].minutes if d.pk in allocations else 0 for d in duties]
        )
        for duty, minutes in zip(duties, shares, strict=True):
            OtjAllocation.objects.update_or_create(
                plan=plan, duty=duty, defaults={"minutes": minutes}
            )
    after = _plan_snapshot(plan)
    if after != before:
        record_event(
            action=AuditAction.OTJ_REQUIREMENT_CHANGED,
            obj=plan,
            actor=by,
            apprenticeship_id=locked.pk,
            summary=f"Set the required off-the-job total to {format_minutes(required)}",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return plan


@transaction.atomic
def save_otj_split(
    *, apprenticeship: Apprenticeship, by: User, allocations: dict[int, int]
) -> OtjPlan:
    """Save the tutor's split of the required total across the duties: a number of minutes
    for every duty of the standard, adding up exactly to the total. Nothing is saved
    otherwise."""
    locked = lock_apprenticeship(apprenticeship)
    _refuse_if_closed(locked)
    plan, _ = OtjPlan.objects.select_for_update().get_or_create(apprenticeship=locked)
    before = _plan_snapshot(plan)
    required = otj_plan.required_after_prior_learning(
        requirement_for(locked, plan).minutes, plan.prior_learning_minutes
    )
    if required is None:
        raise OtjError("The required total is not known yet, so it cannot be split.")
    duties = _duties(locked)
    if set(allocations) != {d.pk for d in duties}:
        raise OtjError("Give a number of hours for every duty of the standard.")
    if any(minutes < 0 for minutes in allocations.values()):
        raise ValidationError("Hours for a duty cannot be negative.")
    total = sum(allocations.values())
    if total != required:
        difference = format_minutes(abs(total - required))
        raise ValidationError(
            f"The duties add up to {format_minutes(total)}, but the required total is "
            f"{format_minutes(required)}: {difference} too "
            f"{'many' if total > required else 'few'}. Nothing was saved."
        )
    for duty in duties:
        OtjAllocation.objects.update_or_create(
            plan=plan, duty=duty, defaults={"minutes": allocations[duty.pk]}
        )
    plan.has_custom_split = True
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.save(update_fields=["has_custom_split", "updated_by", "updated_at"])
    after = _plan_snapshot(plan)
    if after != before:
        record_event(
            action=AuditAction.OTJ_SPLIT_CHANGED,
            obj=plan,
            actor=by,
            apprenticeship_id=locked.pk,
            summary="Changed how the off-the-job total is split across the duties",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return plan


@transaction.atomic
def use_default_split(*, apprenticeship: Apprenticeship, by: User) -> OtjPlan:
    """Go back to the standard's default split. The tutor's saved figures stay in the
    history."""
    locked = lock_apprenticeship(apprenticeship)
    _refuse_if_closed(locked)
    plan, _ = OtjPlan.objects.select_for_update().get_or_create(apprenticeship=locked)
    if plan.has_custom_split:
        plan.has_custom_split = False
        plan.updated_by = by
        plan.updated_at = timezone.now()
        plan.save(update_fields=["has_custom_split", "updated_by", "updated_at"])
        record_event(
            action=AuditAction.OTJ_SPLIT_CHANGED,
            obj=plan,
            actor=by,
            apprenticeship_id=locked.pk,
            summary="Went back to the standard's default off-the-job split",
            before={"has_custom_split": True},
            after={"has_custom_split": False},
        )
    return plan


# -- the schedule (starts from 1 August 2025) ------------------------------------------


def schedule_months(apprenticeship: Apprenticeship, *, today: dt.date | None = None) -> list:
    """The first day of every month from the start to the planned end, moved later by the
    breaks in learning so far."""
    today = today or timezone.localdate()
    end = funding_rules.planned_end_with_breaks(
        apprenticeship.planned_end_date, break_spans(apprenticeship.pk), today=today
    )
    month, months = apprenticeship.start_date.replace(day=1), []
    while month <= end:
        months.append(month)
        month = funding_rules.add_months(month, 1)
    return months


def _schedule_snapshot(plan: OtjPlan) -> dict:
    rows = OtjPlannedMonth.objects.filter(plan=plan).order_by("month", "duty__number")
    return {
        "schedule": {f"{row.month:%Y-%m}/{row.duty_id}": row.minutes for row in rows if row.minutes}
    }


@transaction.atomic
def save_otj_schedule(
    *, apprenticeship: Apprenticeship, by: User, minutes: dict[tuple[dt.date, int], int]
) -> OtjPlan:
    """Save the tutor's schedule: minutes of training planned per duty per month, adding up
    to the required total (to the nearest hour). From 1 August 2025 training may be
    delivered unevenly; whether the apprentice is behind is then judged against this
    schedule. Replaces any schedule saved before (which stays in the history). Nothing is
    saved on a refusal."""
    locked = lock_apprenticeship(apprenticeship)
    _refuse_if_closed(locked)
    if not funding_rules.otj_may_be_uneven(locked.start_date):
        raise OtjError(
            "This apprenticeship started before 1 August 2025, when off-the-job training "
            "had to be spread evenly, so its pace is judged against an even spread and it "
            "has no schedule."
        )
    plan, _ = OtjPlan.objects.select_for_update().get_or_create(apprenticeship=locked)
    before = _schedule_snapshot(plan)
    months = set(schedule_months(locked))
    duties = {d.pk for d in _duties(locked)}
    if any(month not in months or duty not in duties for month, duty in minutes):
        raise OtjError(
            "Plan training only for the duties of the standard and the months from the start "
            "to the planned end. The page may be out of date: load it again."
        )
    if any(value < 0 for value in minutes.values()):
        raise ValidationError("Hours planned for a month cannot be negative.")
    total = sum(minutes.values())
    required = otj_plan.required_after_prior_learning(
        requirement_for(locked, plan).minutes, plan.prior_learning_minutes
    )
    if total == 0:
        raise ValidationError("Plan some training in at least one month, or keep no schedule.")
    # Hours are planned to two decimals, so the months need to match the total to the
    # nearest hour, not to the minute.
    if required is not None and abs(total - required) >= 30:
        difference = format_minutes(abs(total - required))
        raise ValidationError(
            f"The months add up to {format_minutes(total)}, but the required total is "
            f"{format_minutes(required)}: {difference} too "
            f"{'many' if total > required else 'few'}. They need to match to the nearest "
            "hour. Nothing was saved."
        )
    OtjPlannedMonth.objects.filter(plan=plan).delete()
    OtjPlannedMonth.objects.bulk_create(
        OtjPlannedMonth(plan=plan, month=month, duty_id=duty, minutes=value)
        for (month, duty), value in sorted(minutes.items())
        if value
    )
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_by", "updated_at"])
    after = _schedule_snapshot(plan)
    if after != before:
        record_event(
            action=AuditAction.OTJ_SCHEDULE_CHANGED,
            obj=plan,
            actor=by,
            apprenticeship_id=locked.pk,
            summary=f"Planned {format_minutes(total)} of off-the-job training month by month",
            before=before,
            after=after,
        )
    return plan


@transaction.atomic
def remove_otj_schedule(*, apprenticeship: Apprenticeship, by: User) -> None:
    """Keep no schedule: the pace is then shown for information only."""
    locked = lock_apprenticeship(apprenticeship)
    _refuse_if_closed(locked)
    plan = OtjPlan.objects.select_for_update().filter(apprenticeship=locked).first()
    if plan is None or not OtjPlannedMonth.objects.filter(plan=plan).exists():
        return
    before = _schedule_snapshot(plan)
    OtjPlannedMonth.objects.filter(plan=plan).delete()
    record_event(
        action=AuditAction.OTJ_SCHEDULE_CHANGED,
        obj=plan,
        actor=by,
        apprenticeship_id=locked.pk,
        summary="Removed the month-by-month schedule of off-the-job training",
        before=before,
        after={"schedule": {}},
    )


# -- breaks in learning ----------------------------------------------------------------


def _validate_break(
    *,
    apprenticeship: Apprenticeship,
    start_date: dt.date,
    end_date: dt.date | None,
    today: dt.date,
    excluding: BreakInLearning | None = None,
) -> None:
    closed = log_is_closed(apprenticeship, BREAKS_CLOSED)
    if closed:
        raise OtjError(closed)
    errors: dict[str, str] = {}
    if start_date < apprenticeship.start_date:
        errors["start_date"] = (
            f"The apprenticeship started on {day_text(apprenticeship.start_date)}; a break "
            "starts on or after that day."
        )
    elif start_date > today:
        errors["start_date"] = "Record a break once it has begun: this date is in the future."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The last day of the break is before its first day."
    if errors:
        raise ValidationError(errors)
    far = dt.date.max
    for first, last in break_spans(
        apprenticeship.pk, excluding=excluding.pk if excluding else None
    ):
        if start_date <= (last or far) and first <= (end_date or far):
            until = f" to {day_text(last)}" if last else " (not back yet)"
            raise ValidationError(
                f"This overlaps the break from {day_text(first)}{until}. Change that break instead."
            )
    inside = OtjEntry.objects.current().filter(apprenticeship=apprenticeship, date__gte=start_date)
    inside = inside.exclude(status=OtjEntry.Status.REJECTED)
    if end_date is not None:
        inside = inside.filter(date__lte=end_date)
    found = inside.order_by("date").values_list("date", flat=True)[:1]
    if found:
        count = inside.count()
        raise ValidationError(
            f"{count} off-the-job entr{'y is' if count == 1 else 'ies are'} logged during "
            f"this break (the first on {day_text(found[0])}). Training during a break does not "
            "count: the entries need to be rejected or moved first, or the dates changed."
        )


@transaction.atomic
def record_break_in_learning(
    *,
    apprenticeship: Apprenticeship,
    by: User,
    start_date: dt.date,
    end_date: dt.date | None,
    note: str = "",
    today: dt.date | None = None,
) -> BreakInLearning:
    """Record a break. It pauses the expected pace and moves the planned end later. Leave
    the last day empty while the return date is not known."""
    today = today or timezone.localdate()
    locked = lock_apprenticeship(apprenticeship)
    _validate_break(apprenticeship=locked, start_date=start_date, end_date=end_date, today=today)
    brk = BreakInLearning(
        apprenticeship=locked,
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
        created_by=by,
    )
    brk.full_clean()
    brk.save()
    record_event(
        action=AuditAction.BREAK_RECORDED,
        obj=brk,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Recorded a break in learning from {day_text(start_date)}",
        after=snapshot(brk, ("start_date", "end_date", "note")),
    )
    return brk


@transaction.atomic
def change_break_in_learning(
    *,
    brk: BreakInLearning,
    by: User,
    start_date: dt.date,
    end_date: dt.date | None,
    note: str = "",
    today: dt.date | None = None,
) -> BreakInLearning:
    """Change a break's dates or note (for example, record the day the apprentice came
    back)."""
    today = today or timezone.localdate()
    locked = lock_apprenticeship(brk.apprenticeship)
    row = BreakInLearning.objects.select_for_update().get(pk=brk.pk)
    if not row.is_active:
        raise OtjError("This break was cancelled; record a new one instead.")
    _validate_break(
        apprenticeship=locked,
        start_date=start_date,
        end_date=end_date,
        today=today,
        excluding=row,
    )
    before = snapshot(row, ("start_date", "end_date", "note"))
    row.start_date, row.end_date, row.note = start_date, end_date, note.strip()
    row.full_clean()
    row.save(update_fields=["start_date", "end_date", "note"])
    after = snapshot(row, ("start_date", "end_date", "note"))
    if after != before:
        record_event(
            action=AuditAction.BREAK_CHANGED,
            obj=row,
            actor=by,
            apprenticeship_id=locked.pk,
            summary=f"Changed the break in learning from {day_text(row.start_date)}",
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return row


@transaction.atomic
def cancel_break_in_learning(*, brk: BreakInLearning, by: User, reason: str) -> BreakInLearning:
    """Cancel a break recorded in error. The row is kept, with who, when and why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the break is cancelled."})
    locked = lock_apprenticeship(brk.apprenticeship)
    row = BreakInLearning.objects.select_for_update().get(pk=brk.pk)
    if row.is_active and log_is_closed(locked, BREAKS_CLOSED):
        raise OtjError(log_is_closed(locked, BREAKS_CLOSED))
    end_row(
        row,
        by=by,
        reason=reason,
        action=AuditAction.BREAK_CANCELLED,
        summary=f"Cancelled the break in learning from {day_text(row.start_date)}",
        apprenticeship_id=locked.pk,
        already=OtjError("This break is already cancelled."),
        before={"cancelled": False},
        after={"cancelled": True, "reason": reason},
    )
    return row
