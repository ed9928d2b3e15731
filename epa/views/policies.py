"""An organisation's own policies: a training provider turns its own gateway items on or
off, and an assessment organisation records its resit and retake policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from epa import access
from epa.errors import EpaError
from epa.forms.policies import GatewayPolicyForm, ResitPolicyForm
from epa.models import GatewayPolicy
from epa.selectors import policies as selectors
from epa.services import policies as services
from standards.models import AssessmentPlan


def _errors_on_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def gateway_policy(request, pk: int):
    provider = access.get_provider_for_policy(request.user, pk)
    policy = GatewayPolicy.objects.filter(provider=provider).select_related("updated_by").first()
    form = GatewayPolicyForm(
        request.POST or None, policy=policy or GatewayPolicy(provider=provider)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_gateway_policy(
                provider=provider, by=request.user, values=form.cleaned_data
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Gateway policy saved. Every gateway checklist follows it.")
            return redirect("epa:gateway-policy", pk=provider.pk)
    return render(
        request,
        "epa/gateway_policy.html",
        {"provider": provider, "policy": policy, "form": form},
    )


@login_required
def resit_policies(request, pk: int):
    epao = access.get_epao_for(request.user, pk)
    return render(
        request,
        "epa/resit_policies.html",
        {"epao": epao, "rows": selectors.resit_policy_rows(epao)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def resit_policy_record(request, pk: int, standard_pk: int):
    epao = access.get_epao_for(request.user, pk)
    # Standards and their plans are reference data every signed-in person may read.
    plan = (
        AssessmentPlan.objects.select_related("standard_version")
        .filter(standard_version_id=standard_pk)
        .first()
    )
    if plan is None:
        raise Http404
    form = ResitPolicyForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_resit_policy(
                epao=epao,
                standard_version=plan.standard_version,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _errors_on_form(form, error)
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Policy recorded. Resits and retakes started from now on follow it where "
                "the assessment plan states no rule of its own.",
            )
            return redirect("epa:resit-policies", pk=epao.pk)
    return render(
        request,
        "epa/resit_policy_form.html",
        {
            "epao": epao,
            "plan": plan,
            "standard": plan.standard_version,
            "cap_fact": plan.fact("resitGradeCap"),
            "scope_fact": plan.fact("resitScope"),
            "plan_states_cap": plan.states("resitGradeCap"),
            "plan_states_scope": bool(plan.resit_scope) and plan.states("resitScope"),
            "form": form,
        },
    )
