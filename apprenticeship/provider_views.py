"""A training provider's own settings pages, for its admins: the supervision interval the
caseload uses, and the provider's mapping of the standard's duties to a competence
framework's units. Each view checks access, binds the form, calls a service and responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apprenticeship import access, crosswalk, provider_settings
from apprenticeship.forms import CrosswalkDutyForm, SupervisionIntervalForm
from standards.models import CompetenceFramework, Duty, StandardVersion


@login_required
@require_http_methods(["GET", "POST"])
def supervision_interval(request, pk: int):
    provider = access.get_administered_provider(request.user, pk)
    form = SupervisionIntervalForm(
        request.POST or None, initial={"weeks": provider.supervision_interval_weeks}
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider_settings.set_supervision_interval(
                provider=provider, weeks=form.cleaned_data["weeks"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Saved. Caseloads now flag anyone without supervision for more than "
                f"{form.cleaned_data['weeks']} weeks.",
            )
            return redirect("apprenticeship:supervision-interval", pk=provider.pk)
    return render(
        request,
        "apprenticeship/supervision_interval.html",
        {"provider": provider, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def crosswalk_list(request, pk: int):
    provider = access.get_administered_provider(request.user, pk)
    return render(
        request,
        "apprenticeship/crosswalk_list.html",
        {
            "provider": provider,
            "frameworks": list(CompetenceFramework.objects.all()),
            "versions": list(crosswalk.standard_versions_in_use(provider)),
        },
    )


def _framework_and_version(framework_pk: int, version_pk: int):
    # Frameworks and standards are reference data every signed-in person may read.
    framework = get_object_or_404(CompetenceFramework, pk=framework_pk)
    version = get_object_or_404(StandardVersion, pk=version_pk)
    return framework, version


@login_required
@require_http_methods(["GET", "POST"])
def crosswalk_detail(request, pk: int, framework_pk: int, version_pk: int):
    provider = access.get_administered_provider(request.user, pk)
    framework, version = _framework_and_version(framework_pk, version_pk)
    if request.method == "POST":
        try:
            added = crosswalk.start_from_suggestion(
                provider=provider, framework=framework, standard_version=version, by=request.user
            )
        except crosswalk.CrosswalkError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Your mapping now holds the starting suggestion ({added} units). It is "
                "yours: check it and change it duty by duty.",
            )
        return redirect(
            "apprenticeship:crosswalk",
            pk=provider.pk,
            framework_pk=framework.pk,
            version_pk=version.pk,
        )
    rows = crosswalk.crosswalk_rows(
        provider=provider, framework=framework, standard_version=version
    )
    empty = not any(row.units for row in rows)
    return render(
        request,
        "apprenticeship/crosswalk_detail.html",
        {
            "provider": provider,
            "framework": framework,
            "version": version,
            "rows": rows,
            "empty": empty,
            "suggestion": (
                crosswalk.starting_suggestion(framework=framework, standard_version=version)
                if empty
                else None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def crosswalk_duty(request, pk: int, framework_pk: int, duty_pk: int):
    provider = access.get_administered_provider(request.user, pk)
    framework = get_object_or_404(CompetenceFramework, pk=framework_pk)
    duty = Duty.objects.current().select_related("standard_version").filter(pk=duty_pk).first()
    if duty is None:
        raise Http404
    rows = crosswalk.crosswalk_rows(
        provider=provider, framework=framework, standard_version=duty.standard_version
    )
    current = next((row.units for row in rows if row.duty.pk == duty.pk), [])
    form = CrosswalkDutyForm(
        request.POST or None, framework=framework, initial={"units": [u.pk for u in current]}
    )
    back = {"pk": provider.pk, "framework_pk": framework.pk, "version_pk": duty.standard_version_id}
    if request.method == "POST" and form.is_valid():
        try:
            crosswalk.set_duty_units(
                provider=provider,
                framework=framework,
                duty=duty,
                units=list(form.cleaned_data["units"]),
                by=request.user,
            )
        except crosswalk.CrosswalkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved your suggestions for {duty.code}.")
            return redirect("apprenticeship:crosswalk", **back)
    return render(
        request,
        "apprenticeship/crosswalk_duty.html",
        {"provider": provider, "framework": framework, "duty": duty, "form": form, "back": back},
        status=400 if request.method == "POST" else 200,
    )
