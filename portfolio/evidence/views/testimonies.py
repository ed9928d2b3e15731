"""Witness testimonies (written by the employer contact) and the apprentice's private list
of names the identifier check looks for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from config.pagination import paginate
from portfolio.evidence import access
from portfolio.evidence.forms import ProtectedNameForm, TestimonyForm
from portfolio.evidence.models import ProtectedName, WitnessTestimony
from portfolio.evidence.services import testimonies as testimonies_services
from portfolio.evidence.services.evidence import EvidenceError


@login_required
def testimony_list(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    testimonies = (
        WitnessTestimony.objects.filter(apprenticeship=apprenticeship)
        .select_related("author")
        .order_by("-witnessed_on", "-pk")
    )
    return render(
        request,
        "portfolio/evidence/testimony_list.html",
        {
            "apprenticeship": apprenticeship,
            "page": paginate(request, testimonies),
            "can": apprenticeship_access.permissions(apprenticeship.viewer_roles),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def testimony_create(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.WRITE_TESTIMONY)
    form = TestimonyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            testimony = testimonies_services.write_testimony(
                apprenticeship=apprenticeship, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Thank you. {apprenticeship.apprentice.get_short_name()} can now attach it "
                "to their evidence.",
            )
            return redirect(testimony)
    return render(
        request,
        "portfolio/evidence/testimony_form.html",
        {"apprenticeship": apprenticeship, "form": form},
    )


@login_required
def testimony_detail(request, pk: int):
    testimony = access.get_testimony_for(request.user, pk, Action.VIEW_EVIDENCE)
    return render(
        request,
        "portfolio/evidence/testimony_detail.html",
        {"testimony": testimony, "apprenticeship": testimony.apprenticeship},
    )


@login_required
@require_http_methods(["GET", "POST"])
def private_names(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.KEEP_PRIVATE_NAMES)
    form = ProtectedNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            added = testimonies_services.add_protected_name(
                apprenticeship=apprenticeship, name=form.cleaned_data["name"]
            )
        except EvidenceError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"Added “{added.name}” to your private list.")
            return redirect("portfolio:private-names", pk=apprenticeship.pk)
    return render(
        request,
        "portfolio/evidence/private_names.html",
        {
            "apprenticeship": apprenticeship,
            "names": ProtectedName.objects.filter(apprenticeship=apprenticeship),
            "form": form,
        },
    )


@login_required
@require_POST
def private_name_remove(request, pk: int):
    protected = access.get_protected_name_for(request.user, pk)
    testimonies_services.remove_protected_name(protected=protected)
    messages.success(request, f"Removed “{protected.name}” from your private list.")
    return redirect("portfolio:private-names", pk=protected.apprenticeship.pk)
