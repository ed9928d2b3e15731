"""Off-the-job training pages: the summary with its chart, the log, one entry, the training
plan, breaks in learning and the CSV downloads. Each view checks access, binds the form,
calls a service and responds."""

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from apprenticeship.models import Role
from config.pagination import paginate
from portfolio import otj_plan
from portfolio.access import get_break_for, get_otj_entry_for, visible_evidence
from portfolio.forms.otj import (
    BreakForm,
    CancelBreakForm,
    OtjEntryForm,
    PlanRequirementForm,
    PlanSplitForm,
    RejectForm,
    VerifyForm,
    ticked_entries,
)
from portfolio.models import OtjEntry
from portfolio.services import otj as services
from portfolio.services import otj_log as log_services
from portfolio.services import otj_planning as plan_services
from standards.models import Duty

LOG_FILTERS = {
    "waiting": OtjEntry.Status.PENDING,
    "verified": OtjEntry.Status.VERIFIED,
    "rejected": OtjEntry.Status.REJECTED,
}


def _add_errors(form, error: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors on the form: on the field they name, else at the top."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.error_dict.items():
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, problems)


def _verifier_role(roles: frozenset[Role]) -> Role:
    return Role.TUTOR if Role.TUTOR in roles else Role.EMPLOYER


def _page_context(apprenticeship, **extra) -> dict:
    return {
        "apprenticeship": apprenticeship,
        "can": access.permissions(apprenticeship.viewer_roles),
        **extra,
    }


# -- the chart -------------------------------------------------------------------------

CHART_WIDTH = 360
CHART_LABEL = 40
CHART_BAR = CHART_WIDTH - CHART_LABEL - 4
CHART_ROW = 34


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    required: int | None
    logged: int
    verified: int
    expected_x: int | None
    minutes: object  # the Figures, for data attributes and titles

    @property
    def bar_y(self) -> int:
        return self.y + 6

    @property
    def text_y(self) -> int:
        return self.y + 20


def _chart(summary: services.OtjSummary) -> dict:
    """Bar lengths in SVG units: one row for the total, then one per duty. Each duty is on
    its own scale against the largest duty, so small duties stay visible."""
    duty_top = max(
        [max(line.figures.required or 0, line.figures.logged, 1) for line in summary.duties] or [1]
    )
    total_top = max(summary.total.required or 0, summary.total.logged, 1)

    def row(label: str, index: int, f: otj_plan.Figures, top: int) -> ChartRow:
        def x(minutes: int) -> int:
            return round(CHART_BAR * min(minutes, top) / top)

        return ChartRow(
            label=label,
            y=index * CHART_ROW,
            required=None if f.required is None else x(f.required),
            logged=x(f.logged),
            verified=x(f.verified),
            expected_x=None if f.expected is None else CHART_LABEL + x(f.expected),
            minutes=f,
        )

    rows = [row("Total", 0, summary.total, total_top)]
    rows += [
        row(line.code, index + 1, line.figures, duty_top)
        for index, line in enumerate(summary.duties)
    ]
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": len(rows) * CHART_ROW + 4,
        "label_width": CHART_LABEL,
    }


# -- pages -----------------------------------------------------------------------------


@login_required
def otj_summary(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    summary = services.otj_summary(apprenticeship)
    return render(
        request,
        "portfolio/otj_summary.html",
        _page_context(apprenticeship, summary=summary, chart=_chart(summary)),
    )


@login_required
def otj_log(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    entries = OtjEntry.objects.current().filter(apprenticeship=apprenticeship).for_log()
    status = request.GET.get("status", "")
    if status in LOG_FILTERS:
        entries = entries.filter(status=LOG_FILTERS[status])
    else:
        status = ""
    return render(
        request,
        "portfolio/otj_entry_list.html",
        _page_context(
            apprenticeship,
            page=paginate(request, entries.order_by("-date", "-pk")),
            status=status,
            filters=[
                ("", "All"),
                ("waiting", "Waiting"),
                ("verified", "Verified"),
                ("rejected", "Rejected"),
            ],
            closed=services.log_is_closed(apprenticeship),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_add(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.LOG_OTJ)
    closed = services.log_is_closed(apprenticeship)
    form = OtjEntryForm(
        request.POST or None,
        apprenticeship=apprenticeship,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and not closed and form.is_valid():
        try:
            log_services.log_otj_entry(
                apprenticeship=apprenticeship, by=request.user, **form.service_values()
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Training logged. It now waits for verification.")
            if "another" in request.POST:
                return redirect("portfolio:otj-entry-add", pk=apprenticeship.pk)
            return redirect("portfolio:otj-log", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/otj_entry_form.html",
        _page_context(apprenticeship, form=form, closed=closed),
    )


@login_required
def otj_entry_detail(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VIEW_OTJ)
    apprenticeship = entry.apprenticeship
    versions = (
        OtjEntry.objects.filter(lineage=entry.lineage)
        .select_related("duty", "decided_by", "created_by")
        .order_by("-version")
    )
    can = access.permissions(apprenticeship.viewer_roles)
    closed = services.log_is_closed(apprenticeship)
    return render(
        request,
        "portfolio/otj_entry_detail.html",
        {
            "apprenticeship": apprenticeship,
            "entry": entry,
            "versions": versions,
            "can": can,
            "closed": closed,
            "show_evidence": entry.evidence_id is not None
            and visible_evidence(apprenticeship).filter(pk=entry.evidence_id).exists(),
            "may_decide": can["verify_otj"] and entry.is_current and entry.is_pending,
            "may_change": can["log_otj"] and entry.is_current and not closed,
            "verify_form": VerifyForm(initial={"revision": entry.revision}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_edit(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.LOG_OTJ)
    apprenticeship = entry.apprenticeship
    if not entry.is_current:
        messages.info(request, "That is an earlier version; this is the latest.")
        return redirect(OtjEntry.objects.get(lineage=entry.lineage, is_current=True))
    closed = services.log_is_closed(apprenticeship)
    form = OtjEntryForm(
        request.POST or None,
        apprenticeship=apprenticeship,
        initial=OtjEntryForm.initial_for(entry),
    )
    if request.method == "POST" and not closed and form.is_valid():
        try:
            saved = log_services.change_otj_entry(
                entry=entry, by=request.user, **form.service_values()
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.OtjError as error:
            form.add_error(None, str(error))
        else:
            if saved.pk != entry.pk:
                messages.success(
                    request,
                    f"Saved as version {saved.version}. The earlier version is kept, and this "
                    "one waits for verification.",
                )
            elif saved.revision != entry.revision:
                messages.success(request, "Changes saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect(saved)
    return render(
        request,
        "portfolio/otj_entry_form.html",
        _page_context(apprenticeship, form=form, entry=entry, closed=closed),
    )


@login_required
@require_POST
def otj_entry_verify(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VERIFY_OTJ)
    form = VerifyForm(request.POST)
    revision = form.cleaned_data["revision"] if form.is_valid() else None
    try:
        log_services.verify_otj_entry(
            entry=entry,
            by=request.user,
            as_role=_verifier_role(entry.apprenticeship.viewer_roles),
            revision=revision,
        )
    except services.OtjError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Verified.")
    return redirect(entry)


@login_required
@require_http_methods(["GET", "POST"])
def otj_entry_reject(request, pk: int):
    entry = get_otj_entry_for(request.user, pk, Action.VERIFY_OTJ)
    form = RejectForm(request.POST or None, initial={"revision": entry.revision})
    if request.method == "POST" and form.is_valid():
        try:
            log_services.reject_otj_entry(
                entry=entry,
                by=request.user,
                as_role=_verifier_role(entry.apprenticeship.viewer_roles),
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.OtjError as error:
            messages.error(request, str(error))
            return redirect(entry)
        else:
            messages.success(request, "Rejected. The apprentice can see your reason.")
            return redirect(entry)
    return render(
        request,
        "portfolio/otj_entry_reject.html",
        {"apprenticeship": entry.apprenticeship, "entry": entry, "form": form},
    )


@login_required
@require_POST
def otj_verify_many(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VERIFY_OTJ)
    seen = ticked_entries(request.POST)
    if not seen:
        messages.error(request, "Tick the entries to verify first.")
    else:
        verified, skipped = log_services.verify_otj_entries(
            apprenticeship=apprenticeship,
            by=request.user,
            as_role=_verifier_role(apprenticeship.viewer_roles),
            seen=seen,
        )
        messages.success(request, f"Verified {verified} entr{'y' if verified == 1 else 'ies'}.")
        if skipped:
            messages.warning(
                request,
                f"{skipped} entr{'y was' if skipped == 1 else 'ies were'} not verified: changed "
                "or decided by someone else since the page was opened. Check them again.",
            )
    return redirect(reverse("portfolio:otj-log", args=[apprenticeship.pk]) + "?status=waiting")


# -- the training plan -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def otj_plan_edit(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.PLAN_OTJ)
    summary = services.otj_summary(apprenticeship)
    duties = list(Duty.objects.filter(standard_version=apprenticeship.standard_version))
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
            _add_errors(target, error, {"prior_learning_minutes": "prior_hours"})
        except services.OtjError as error:
            messages.error(request, str(error))
    return render(
        request,
        "portfolio/otj_plan_form.html",
        _page_context(
            apprenticeship,
            summary=summary,
            requirement_form=requirement_form,
            split_form=split_form,
            uses_leave=uses_leave,
        ),
    )


# -- breaks in learning ----------------------------------------------------------------


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
            _add_errors(form, error)
        except services.OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break in learning recorded.")
            return redirect("portfolio:otj-summary", pk=apprenticeship.pk)
    return render(
        request, "portfolio/otj_break_form.html", _page_context(apprenticeship, form=form)
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
            _add_errors(form, error)
        except services.OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break in learning saved.")
            return redirect("portfolio:otj-summary", pk=brk.apprenticeship_id)
    return render(
        request,
        "portfolio/otj_break_form.html",
        _page_context(brk.apprenticeship, form=form, brk=brk),
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
            _add_errors(form, error)
        except services.OtjError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Break cancelled. It stays in the history.")
            return redirect("portfolio:otj-summary", pk=brk.apprenticeship_id)
    return render(
        request,
        "portfolio/otj_break_cancel.html",
        _page_context(brk.apprenticeship, form=form, brk=brk),
    )


# -- downloads -------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otj_log_csv(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    stamp = timezone.localdate().isoformat()
    return _csv_response(
        services.otj_log_rows(apprenticeship),
        f"off-the-job-log-{apprenticeship.pk}-{stamp}.csv",
    )


@login_required
def otj_summary_csv(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_OTJ)
    summary = services.otj_summary(apprenticeship)
    return _csv_response(
        services.otj_summary_rows(summary),
        f"off-the-job-summary-{apprenticeship.pk}-{summary.today.isoformat()}.csv",
    )
