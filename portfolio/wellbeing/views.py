"""The wellbeing plan's pages. Each view checks access, binds the form, calls a service and
responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access
from apprenticeship.access import Action
from portfolio.wellbeing import selectors, services
from portfolio.wellbeing.forms import SharingForm, WellbeingPlanForm
from portfolio.wellbeing.models import WellbeingAudience


@login_required
def wellbeing_plan(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.VIEW_WELLBEING_PLAN)
    plan = selectors.plan_for_viewer(apprenticeship)
    response = render(
        request,
        "portfolio/wellbeing/wellbeing_plan.html",
        {
            "apprenticeship": apprenticeship,
            "can": access.permissions(apprenticeship.viewer_roles),
            "plan": plan,
            "audiences": WellbeingAudience.choices,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def wellbeing_plan_edit(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_WELLBEING_PLAN)
    plan = selectors.plan_for_viewer(apprenticeship)
    initial = {s.key: s.text for s in plan.sections}
    form = WellbeingPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_plan(
            apprenticeship=apprenticeship, by=request.user, sections=form.cleaned_data
        )
        messages.success(
            request, "Your wellbeing plan is saved. Only you can see it unless you share a part."
        )
        return redirect("portfolio:wellbeing-plan", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/wellbeing/wellbeing_plan_form.html",
        {"apprenticeship": apprenticeship, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def wellbeing_sharing(request, pk: int):
    apprenticeship = access.get_apprenticeship_for(request.user, pk, Action.MANAGE_WELLBEING_PLAN)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a section of your plan and who to share it with.")
        return redirect("portfolio:wellbeing-plan", pk=apprenticeship.pk)
    try:
        services.set_sharing(apprenticeship=apprenticeship, by=request.user, **form.cleaned_data)
    except services.WellbeingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Shared." if form.cleaned_data["shared"] else "Withdrawn. They can no longer see it.",
        )
    return redirect("portfolio:wellbeing-plan", pk=apprenticeship.pk)
