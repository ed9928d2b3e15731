"""The assessment organisation's pages: its apprentices past gateway, exceptional
circumstances for a resit or retake, and appeals against a confirmed result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action
from apprenticeship.models import Role
from config.pagination import paginate
from epa import access
from epa.errors import EpaError
from epa.forms.assessment import AppealDecisionForm, AppealForm, ExceptionalCircumstancesForm
from epa.grading import resit_rules
from epa.selectors import lists
from epa.services import results
from epa.views.assessment import plan_or_404, record_url


@login_required
@require_http_methods(["GET", "POST"])
def exceptional_circumstances(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_EXCEPTIONAL_CIRCUMSTANCES)
    apprenticeship = round_.apprenticeship
    plan = plan_or_404(apprenticeship)
    form = ExceptionalCircumstancesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            results.record_exceptional_circumstances(
                round_=round_, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Exceptional circumstances recorded. This attempt's grade is not capped."
            )
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/exceptional_circumstances_form.html",
        {
            "apprenticeship": apprenticeship,
            "round": round_,
            "plan": plan,
            "cap_fact": plan.fact("resitGradeCap"),
            "rules": resit_rules(plan, round_.resit_policy),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_record(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_APPEAL)
    apprenticeship = round_.apprenticeship
    if not round_.is_released:
        raise Http404
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            results.record_appeal(round_=round_, by=request.user, **form.cleaned_data)
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Appeal recorded.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/appeal_form.html",
        {"apprenticeship": apprenticeship, "round": round_, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request, pk: int):
    appeal = access.get_appeal_for(request.user, pk, Action.RECORD_APPEAL)
    apprenticeship = appeal.round.apprenticeship
    plan = plan_or_404(apprenticeship)
    if not appeal.is_open:
        messages.info(request, "This appeal has already been decided.")
        return redirect(record_url(apprenticeship.pk))
    form = AppealDecisionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            results.decide_appeal(
                appeal=appeal,
                by=request.user,
                upheld=data["outcome"] == appeal.Outcome.UPHELD,
                grade_after=data["grade_after"],
                decision=data["decision"],
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Decision recorded.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/appeal_decide.html",
        {"apprenticeship": apprenticeship, "appeal": appeal, "round": appeal.round, "form": form},
    )


# -- the home page ---------------------------------------------------------------------


@login_required
def epao_home(request):
    """The assessment organisation admin's apprentices past gateway, with their assessor,
    where the assessment has got to and its window."""
    queryset = lists.with_adjustments_to_decide(
        lists.annotate_epa_list(
            apprenticeship_access.apprenticeships_as(request.user, Role.EPAO_ADMIN).with_people()
        )
    )
    page = paginate(request, queryset)
    return render(
        request,
        "epa/epao_home.html",
        {
            "page": page,
            "rows": lists.epa_rows(page.object_list),
            "epaos": list(access.administered_epaos(request.user)),
        },
    )
