"""Reasonable adjustments' pages. Each view checks access, binds the form, calls a service
and responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from portfolio.wellbeing import services
from portfolio.wellbeing.access import get_adjustment_for, may_agree, visible_adjustments
from portfolio.wellbeing.forms import AdjustmentDecisionForm, AdjustmentRequestForm


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_list(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_ADJUSTMENTS)
    can = access.permissions(apprenticeship.viewer_roles)
    form = AdjustmentRequestForm(request.POST or None) if can["request_adjustment"] else None
    if request.method == "POST":
        if form is None:
            access.get_apprenticeship_for(request.user, pk, Action.REQUEST_ADJUSTMENT)
        elif form.is_valid():
            try:
                services.request_adjustment(
                    apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your request is saved.")
                return redirect("portfolio:adjustment-list", pk=apprenticeship.pk)
    rows = list(visible_adjustments(apprenticeship).select_related("passed_by", "decided_by"))
    for row in rows:
        row.may_agree = may_agree(row, apprenticeship.viewer_roles) and row.status == "requested"
    return render(
        request,
        "portfolio/wellbeing/adjustment_list.html",
        {"apprenticeship": apprenticeship, "can": can, "rows": rows, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _decide(request, pk: int, action: Action):
    adjustment = get_adjustment_for(request.user, pk, action)
    form = AdjustmentDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to agree.")
    else:
        try:
            services.decide_adjustment(
                adjustment=adjustment,
                by=request.user,
                agreed=form.cleaned_data["agreed"],
                note=form.cleaned_data["note"],
            )
        except ValidationError:
            messages.error(request, "Say why it was not agreed. Nothing was saved.")
        except services.AdjustmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Decision saved.")
    return adjustment


@login_required
@require_POST
def adjustment_agree(request, pk: int):
    adjustment = _decide(request, pk, Action.AGREE_ADJUSTMENT)
    return redirect("portfolio:adjustment-list", pk=adjustment.apprenticeship_id)


@login_required
@require_POST
def adjustment_decide(request, pk: int):
    adjustment = _decide(request, pk, Action.DECIDE_ASSESSMENT_ADJUSTMENT)
    return redirect("portfolio:adjustment-list", pk=adjustment.apprenticeship_id)
