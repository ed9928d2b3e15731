"""A second framework's pages: its coverage tab, turning it on, and mapping evidence to its
units. Each view checks access, binds the form, calls a service and responds."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import crosswalk
from apprenticeship.access import Action, get_apprenticeship_for, permissions
from portfolio.evidence import access
from portfolio.evidence import frameworks as services
from standards.models import CompetenceFramework, FrameworkUnit


@login_required
def framework_coverage(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_EVIDENCE)
    on = list(apprenticeship.competence_frameworks.all())
    off = list(CompetenceFramework.objects.exclude(pk__in=[f.pk for f in on]))
    return render(
        request,
        "portfolio/evidence/framework_coverage.html",
        {
            "apprenticeship": apprenticeship,
            "can": permissions(apprenticeship.viewer_roles),
            "rows": services.framework_coverage(apprenticeship),
            "frameworks_on": on,
            "frameworks_off": off,
        },
    )


@login_required
@require_POST
def framework_toggle(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.MANAGE_FRAMEWORKS)
    framework = get_object_or_404(CompetenceFramework, pk=request.POST.get("framework") or 0)
    on = request.POST.get("on") == "yes"
    services.set_framework(
        apprenticeship=apprenticeship, framework=framework, on=on, by=request.user
    )
    messages.success(
        request, f"{framework.title} is {'on' if on else 'off'} for this apprenticeship."
    )
    return redirect("portfolio:framework-coverage", pk=apprenticeship.pk)


class UnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        queryset=FrameworkUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units this evidence shows",
    )

    def __init__(self, *args, apprenticeship, suggested_for: dict[int, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = services.units_on(apprenticeship)
        self.fields["units"].label_from_instance = lambda u: (
            f"{u.code} {u.title}"
            + (
                f" (suggested for {', '.join(suggested_for[u.pk])})"
                if u.pk in suggested_for
                else ""
            )
        )


def _suggested_for(evidence) -> tuple[dict[int, list[str]], list[tuple]]:
    """The provider's suggestions for the duties this evidence shows: {unit id: duty codes}
    for the checkbox labels, and [(duty, units)] for the list above them."""
    suggestions = crosswalk.suggestions_for(evidence.apprenticeship)
    by_unit: dict[int, list[str]] = {}
    by_duty = []
    for duty in evidence.duties.order_by("number"):
        units = suggestions.get(duty.pk, [])
        if units:
            by_duty.append((duty, units))
        for unit in units:
            by_unit.setdefault(unit.pk, []).append(duty.code)
    return by_unit, by_duty


@login_required
@require_http_methods(["GET", "POST"])
def evidence_framework_units(request, pk: int):
    evidence = access.get_evidence_for(request.user, pk, Action.ADD_EVIDENCE)
    apprenticeship = evidence.apprenticeship
    suggested_for, suggestions = _suggested_for(evidence)
    form = UnitsForm(
        request.POST or None,
        apprenticeship=apprenticeship,
        suggested_for=suggested_for,
        initial={"units": list(evidence.framework_units.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.map_framework_units(
                evidence=evidence, units=list(form.cleaned_data["units"]), by=request.user
            )
        except services.FrameworkMappingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Framework units saved.")
            return redirect(evidence)
    return render(
        request,
        "portfolio/evidence/evidence_framework_units.html",
        {
            "evidence": evidence,
            "apprenticeship": apprenticeship,
            "form": form,
            "suggestions": suggestions,
        },
        status=400 if request.method == "POST" else 200,
    )
