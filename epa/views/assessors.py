"""Assigning and taking off the independent assessor, and the assessor's declaration
that they have no conflict of interest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apprenticeship.access import Action, get_apprenticeship_for
from epa import access
from epa.errors import EpaError
from epa.forms.assessment import AssignAssessorForm, DeclarationForm, ReasonForm
from epa.selectors import assessment as selectors
from epa.services import assessment as services
from epa.services import assessors
from epa.views.assessment import record_url


@login_required
@require_http_methods(["GET", "POST"])
def assessor_assign(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.ASSIGN_ASSESSOR)
    form = AssignAssessorForm(request.POST or None, apprenticeship=apprenticeship)
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        try:
            assessors.assign_assessor(
                apprenticeship=apprenticeship, assessor=assessor, by=request.user
            )
        except EpaError as error:
            form.add_error("assessor", str(error))
        else:
            messages.success(request, f"{assessor.full_name} is now the assessor.")
            return redirect(apprenticeship)
    return render(
        request,
        "epa/assessor_assign.html",
        {"apprenticeship": apprenticeship, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessor_remove(request, pk: int):
    membership = access.get_assessor_membership_for(request.user, pk, Action.ASSIGN_ASSESSOR)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessors.remove_assessor(
                membership=membership, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EpaError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, f"{membership.user.full_name} is no longer the assessor.")
            return redirect(membership.apprenticeship)
    return render(
        request,
        "epa/assessor_remove.html",
        {"membership": membership, "apprenticeship": membership.apprenticeship, "form": form},
    )


# -- the assessor's declaration --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    if selectors.has_declared(apprenticeship, request.user):
        messages.info(request, "You have already declared that you have no conflict of interest.")
        return redirect(record_url(apprenticeship.pk))
    form = DeclarationForm(request.POST or None)
    problems = selectors.independence_problems(apprenticeship, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_no_conflict(apprenticeship=apprenticeship, assessor=request.user)
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. You can now record the assessment.")
            return redirect(record_url(apprenticeship.pk))
    return render(
        request,
        "epa/declaration_form.html",
        {"apprenticeship": apprenticeship, "form": form, "problems": problems},
    )
