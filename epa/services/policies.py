"""An organisation's own policies: a training provider's gateway items beyond what the
standard and the funding rules require, and an assessment organisation's resit and retake
policy where the assessment plan states none. Each change is in the history."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Organisation
from audit.actions import AuditAction
from audit.services import record_event
from epa.errors import EpaError
from epa.models import GatewayPolicy, ResitPolicy
from standards.models import AssessmentPlan, ResitScope, StandardVersion


@transaction.atomic
def set_gateway_policy(
    *, provider: Organisation, by: User, values: dict[str, bool]
) -> GatewayPolicy:
    """Turn the provider's own gateway items on or off (`values`: {field: on}). The items
    the standard or the funding rules require are not the provider's to turn off."""
    if provider.kind != Organisation.Kind.PROVIDER:
        raise EpaError("Only a training provider has a gateway policy.")
    names = [name for name, _ in GatewayPolicy.ITEMS]
    if set(values) - set(names):
        raise EpaError("Only the provider's own gateway items can be turned on or off.")
    policy = GatewayPolicy.objects.select_for_update().filter(
        provider=provider
    ).first() or GatewayPolicy(provider=provider)
    before = policy.values()
    for name in names:
        setattr(policy, name, bool(values.get(name, getattr(policy, name))))
    after = policy.values()
    if policy.pk and after == before:
        return policy
    policy.updated_by = by
    policy.updated_at = timezone.now()
    policy.full_clean()
    policy.save()
    labels = dict(GatewayPolicy.ITEMS)
    changed = [
        f"{labels[n].lower()} {'on' if after[n] else 'off'}" for n in names if after[n] != before[n]
    ]
    record_event(
        action=AuditAction.GATEWAY_POLICY_CHANGED,
        obj=policy,
        actor=by,
        summary=f"Changed {provider.name}'s gateway policy: " + "; ".join(changed)
        if changed
        else f"Saved {provider.name}'s gateway policy",
        before=before,
        after=after,
    )
    return policy


@transaction.atomic
def record_resit_policy(
    *,
    epao: Organisation,
    standard_version: StandardVersion,
    by: User,
    name: str,
    grade_cap: str,
    scope: str,
    now: dt.datetime | None = None,
) -> ResitPolicy:
    """Record the assessment organisation's own resit and retake policy for a standard.
    It applies to resits and retakes started from now on, wherever the assessment plan
    states no rule of its own, and is shown as the organisation's. Refuses with a
    ValidationError (nothing saved) when the policy is not complete or its cap is not one
    of the plan's grades."""
    if epao.kind != Organisation.Kind.EPAO:
        raise EpaError("Only an end-point assessment organisation records a resit policy.")
    plan = AssessmentPlan.objects.filter(standard_version=standard_version).first()
    if plan is None:
        raise EpaError(
            "The assessment plan for this standard has not been loaded, so there are no "
            "grades to cap yet."
        )
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Say which of your policies this is."
    if grade_cap and grade_cap not in plan.overall_grades[1:]:
        errors["grade_cap"] = (
            "Choose no cap, or one of the plan's grades above the lowest: "
            + ", ".join(plan.overall_grades[1:])
            + "."
        )
    if scope not in ResitScope.values:
        errors["scope"] = "Choose what a resit or retake assesses again."
    if errors:
        raise ValidationError(errors)
    policy = ResitPolicy(
        epao=epao,
        standard_version=standard_version,
        name=name,
        grade_cap=grade_cap,
        scope=scope,
        recorded_by=by,
        recorded_at=now or timezone.now(),
    )
    policy.full_clean()
    policy.save()
    record_event(
        action=AuditAction.EPA_RESIT_POLICY_RECORDED,
        obj=policy,
        actor=by,
        summary=f"{epao.name} recorded its resit and retake policy for "
        f"{standard_version.reference} v{standard_version.version}: {name}",
        after={"name": name, "grade_cap": grade_cap, "scope": scope},
    )
    return policy
