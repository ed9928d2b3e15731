"""Notes against KSBs, each method's grade, confirming the result, and starting a resit
or retake."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apprenticeship.access import Action, get_apprenticeship_for
from epa import access
from epa.errors import EpaError
from epa.forms.assessment import ConfirmResultForm, GradeForm, KsbNotesForm, StartRoundForm
from epa.selectors import assessment as selectors
from epa.selectors.record import assessment_record
from epa.services import assessment as services
from epa.services import results
from epa.views.assessment import cannot_record, plan_or_404, record_url


@login_required
@require_http_methods(["GET", "POST"])
def ksb_notes(request, pk: int):
    assessment = access.get_method_assessment_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = assessment.round.apprenticeship
    refused = cannot_record(request, apprenticeship)
    if refused:
        return refused
    loaded = selectors.method_assessment_with_record(assessment.pk)
    form = KsbNotesForm(request.POST or None, method_assessment=loaded)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_ksb_notes(
                method_assessment=assessment, by=request.user, notes=form.notes()
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Notes saved.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/ksb_notes_form.html",
        {
            "apprenticeship": apprenticeship,
            "assessment": loaded,
            "method": loaded.method,
            "form": form,
            "fact": plan_or_404(apprenticeship).fact("methodKsbs"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def method_grade(request, pk: int):
    assessment = access.get_method_assessment_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = assessment.round.apprenticeship
    refused = cannot_record(request, apprenticeship)
    if refused:
        return refused
    loaded = selectors.method_assessment_with_record(assessment.pk)
    if loaded.is_graded and not loaded.round.returned_reason:
        messages.info(request, f"{loaded.method.name} already has its grade for this attempt.")
        return redirect(record_url(apprenticeship.pk))
    form = GradeForm(request.POST or None, method=loaded.method)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_method(
                method_assessment=assessment, by=request.user, grade=form.cleaned_data["grade"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{loaded.method.name}: graded {form.cleaned_data['grade']}.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/method_grade.html",
        {
            "apprenticeship": apprenticeship,
            "assessment": loaded,
            "method": loaded.method,
            "problems": selectors.grading_problems(loaded),
            "warnings": selectors.grading_warnings(loaded),
            "themes_fact": loaded.method.plan.fact("everyThemeRequired"),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_confirm(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = round_.apprenticeship
    refused = cannot_record(request, apprenticeship)
    if refused:
        return refused
    record = assessment_record(apprenticeship, request.user)
    round_record = next(r for r in record.rounds if r.round.pk == round_.pk)
    if round_.is_confirmed:
        messages.info(request, "This result is already confirmed.")
        return redirect(record_url(apprenticeship.pk))
    result = round_record.result
    form = ConfirmResultForm(request.POST or None, initial={"grade": result.overall})
    if request.method == "POST" and form.is_valid():
        try:
            results.confirm_result(round_=round_, by=request.user, grade=form.cleaned_data["grade"])
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Result confirmed: {form.cleaned_data['grade']}.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/result_confirm.html",
        {
            "apprenticeship": apprenticeship,
            "record": record,
            "round_record": round_record,
            "result": result,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_start(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    refused = cannot_record(request, apprenticeship)
    if refused:
        return refused
    record = assessment_record(apprenticeship, request.user)
    if not record.can_start_round:
        messages.info(request, "There is no failed method to resit or retake.")
        return redirect(record_url(apprenticeship.pk))
    form = StartRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = results.start_round(
                apprenticeship=apprenticeship, by=request.user, kind=form.cleaned_data["kind"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{round_.get_kind_display()} started.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/round_start.html",
        {
            "apprenticeship": apprenticeship,
            "record": record,
            "rules": selectors.next_resit_rules(apprenticeship, record.plan),
            "form": form,
        },
    )
