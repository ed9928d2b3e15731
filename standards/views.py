from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_site_operator, require_site_operator
from config.pagination import paginate
from standards import selectors
from standards.errors import StandardFactError, StandardImportError
from standards.forms import ImportStandardForm, OtjMinimumForm
from standards.models import KSB, PROVENANCE_HELP, Provenance, StandardVersion
from standards.services import facts, imports


@login_required
def standard_list(request):
    versions = StandardVersion.objects.order_by("reference", "version")
    return render(
        request,
        "standards/standard_list.html",
        {
            "page": paginate(request, versions),
            "can_import": is_site_operator(request.user),
        },
    )


@login_required
def standard_detail(request, pk: int):
    # Standards are public reference data: anyone signed in may read every version.
    version = get_object_or_404(StandardVersion.objects.for_detail_page(), pk=pk)
    ksbs = list(version.ksbs.all())
    groups = [
        {
            "kind": kind,
            "label": label,
            "section": version.fact(
                {"knowledge": "knowledges", "skill": "skills", "behaviour": "behaviours"}[kind]
            ),
            "items": [k for k in ksbs if k.kind == kind],
        }
        for kind, label in KSB.Kind.choices
    ]
    plan = getattr(version, "assessment_plan", None)
    return render(
        request,
        "standards/standard_detail.html",
        {
            "version": version,
            "duties": version.duties.all(),
            "ksb_groups": groups,
            "duty_map": version.fact("duty_ksb_map"),
            "plan": plan,
            "can_enter_otj_minimum": selectors.may_enter_otj_minimum(version)
            and is_site_operator(request.user),
            "provenance_help": [(Provenance(k).label, v) for k, v in PROVENANCE_HELP.items()],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def standard_import(request):
    """A site operator imports a standard file; it changes the standard for every provider."""
    require_site_operator(request.user)
    form = ImportStandardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_standard(data=form.cleaned_data["file"], by=request.user)
        except StandardImportError as error:
            form.add_error("file", f"Nothing was imported. {error}")
        else:
            messages.success(request, f"{result.standard_version} imported.")
            return redirect(result.standard_version)
    return render(request, "standards/standard_import.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def standard_otj_minimum(request, pk: int):
    """A site operator enters the off-the-job minimum while the official one is not loaded:
    it sets the required total for every provider's apprentices on this standard."""
    require_site_operator(request.user)
    version = get_object_or_404(StandardVersion, pk=pk)
    form = OtjMinimumForm(
        request.POST or None,
        initial={"hours": version.otj_minimum_hours},
    )
    if request.method == "POST" and form.is_valid():
        try:
            facts.set_provider_otj_minimum(
                standard_version=version,
                hours=form.cleaned_data["hours"],
                source=form.cleaned_data["source"],
                entered_by=request.user.get_full_name() or request.user.email,
                by=request.user,
            )
        except StandardFactError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Minimum off-the-job hours saved, marked as entered by you.")
            return redirect(reverse("standards:standard-detail", args=[version.pk]) + "#facts")
    return render(
        request,
        "standards/standard_otj_minimum.html",
        {
            "version": version,
            "form": form,
            "may_enter": selectors.may_enter_otj_minimum(version),
        },
    )
