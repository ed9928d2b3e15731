"""The training plan (required total and its split across duties) and breaks in learning."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apprenticeship import access
from apprenticeship.access import Action
from portfolio.training import selectors as services
from portfolio.training.access import get_break_for
from portfolio.training.errors import OtjError
from portfolio.training.forms import (
    BreakForm,
    CancelBreakForm,
    PlanRequirementForm,
    PlanSplitForm,
    ScheduleForm,
)
from portfolio.training.services import planning as plan_services
from portfolio.training.views.common import add_errors, page_context
from standards.models import Duty


@login_required
@require_http_methods(["GET", "POST"])
def otj_plan_edit(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.PLAN_OTJ)
    summary = services.otj_summary(apprenticeship)
    duties = list(Duty.objects.current().filter(standard_version=apprenticeship.standard_version))
    uses_leave = summary.requirement.era != "from_2025"
    prior_hours, prior_minutes = divmod(summary.prior_learning_minutes, 60)
    part = request.POST.get("part", "")
    requirement_form = PlanRequirementForm(
        request.POST if part == "requirement" else None,
        uses_leave=uses_leave,
        initial={
            "leave_weeks_per_year": summary.leave_weeks_per_year,
            "prior_hours": prior_hours,
            "prior_minutes": prior_minutes,
            "prior_learning_reason": summary.prior_learning_reason,
        },
    )
    split_form = PlanSplitForm(
        request.POST if part == "split" else None,
        duties=duties,
        initial=PlanSplitForm.initial_for(
            duties, [line.figures.required or 0 for line in summary.duties]
        ),
    )
    if request.method == "POST":
        try:
            if part == "requirement" and requirement_form.is_valid():
                data = requirement_form.cleaned_data
                plan_services.save_otj_requirement(
                    apprenticeship=apprenticeship,
                    by=request.user,
                    leave_weeks_per_year=(
                        data["leave_weeks_per_year"] if uses_leave else summary.leave_weeks_per_year
                    ),
                    prior_learning_minutes=data["prior_learning_minutes"],
                    prior_learning_reason=data["prior_learning_reason"],
                )
                messages.success(request, "Required total saved.")
                return redirect("portfolio:otj-plan", pk=apprenticeship.pk)
            if part == "split" and split_form.is_valid():
                plan_services.save_otj_split(
                    apprenticeship=apprenticeship,
                    by=request.user,
                    allocations=split_form.allocations(),
                )
                messages.success(request, "Split across duties saved.")
                return redirect("portfolio:otj-plan", pk=apprenticeship.pk)
            if part == "default":
                plan_services.use_default_split(apprenticeship=apprenticeship, by=request.user)
                messages.success(request, "Back to the standard's default split.")
                return redirect("portfolio:otj-plan", pk=apprenticeship.pk)
        except ValidationError as error:
            target = requirement_form if part == "requirement" else split_form
            add_errors(target, error, {"prior_learning_minutes": "prior_hours"})
        except OtjError as error:
            messages.error(request, str(error))
    return render(
        request,
        "portfolio/training/otj_plan_form.html",
        page_context(
            apprenticeship,
            summary=summary,
            requirement_form=requirement_form,
            split_form=split_form,
            uses_leave=uses_leave,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_break_add(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_BREAKS)
    form = BreakForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.record_break_in_learning(
                apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break in learning recorded.")
            return redirect("portfolio:otj-summary", pk=apprenticeship.pk)
    return render(
        request, "portfolio/training/otj_break_form.html", page_context(apprenticeship, form=form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_break_edit(request, pk: int):
    brk = get_break_for(request.user, pk, Action.MANAGE_BREAKS)
    if not brk.is_active:
        raise Http404
    form = BreakForm(
        request.POST or None,
        initial={"start_date": brk.start_date, "end_date": brk.end_date, "note": brk.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.change_break_in_learning(brk=brk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break in learning saved.")
            return redirect("portfolio:otj-summary", pk=brk.apprenticeship_id)
    return render(
        request,
        "portfolio/training/otj_break_form.html",
        page_context(brk.apprenticeship, form=form, brk=brk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_break_cancel(request, pk: int):
    brk = get_break_for(request.user, pk, Action.MANAGE_BREAKS)
    if not brk.is_active:
        raise Http404
    form = CancelBreakForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.cancel_break_in_learning(
                brk=brk, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break cancelled. It stays in the history.")
            return redirect("portfolio:otj-summary", pk=brk.apprenticeship_id)
    return render(
        request,
        "portfolio/training/otj_break_cancel.html",
        page_context(brk.apprenticeship, form=form, brk=brk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_schedule_edit(request, pk: int):
    """The tutor plans the training month by month (starts from 1 August 2025, when
    delivery may be uneven); the pace is then judged against this schedule."""
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.PLAN_OTJ)
    summary = services.otj_summary(apprenticeship)
    duties = list(
        Duty.objects.filter(standard_version=apprenticeship.standard_version).order_by("number")
    )
    months = plan_services.schedule_months(apprenticeship)
    saved = {
        (row.month, row.duty_id): row.minutes
        for row in services.schedule_rows(services.plan_row(apprenticeship))
    }
    if request.GET.get("start") == "even" or not saved:
        initial = services.even_schedule(summary, start=apprenticeship.start_date, months=months)
    else:
        initial = saved
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        months=months,
        duties=duties,
        initial=ScheduleForm.initial_for(initial),
    )
    if request.method == "POST":
        try:
            if request.POST.get("part") == "remove":
                plan_services.remove_otj_schedule(apprenticeship=apprenticeship, by=request.user)
                messages.success(request, "The schedule is removed.")
                return redirect("portfolio:otj-summary", pk=apprenticeship.pk)
            if form.is_valid():
                plan_services.save_otj_schedule(
                    apprenticeship=apprenticeship, by=request.user, minutes=form.minutes()
                )
                messages.success(request, "Schedule saved.")
                return redirect("portfolio:otj-summary", pk=apprenticeship.pk)
        except ValidationError as error:
            add_errors(form, error)
        except OtjError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "portfolio/training/otj_schedule_form.html",
        page_context(
            apprenticeship,
            summary=summary,
            form=form,
            duties=duties,
            has_saved=bool(saved),
        ),
    )
