"""Reads for the organisations' own policies pages."""

from dataclasses import dataclass

from apprenticeship.models import Organisation
from epa.grading import ResitRules, resit_rules
from epa.models import ResitPolicy
from standards.models import AssessmentPlan, StandardVersion


@dataclass
class ResitPolicyRow:
    standard_version: StandardVersion
    plan: AssessmentPlan
    rules: ResitRules  # what a resit started now follows
    history: list[ResitPolicy]  # newest first


def resit_policy_rows(epao: Organisation) -> list[ResitPolicyRow]:
    """For each standard with an assessment plan: the rules a resit started now would
    follow with this organisation, and every policy it has recorded. Two queries."""
    plans = list(
        AssessmentPlan.objects.select_related("standard_version").order_by(
            "standard_version__reference", "standard_version__version"
        )
    )
    history: dict[int, list[ResitPolicy]] = {}
    for policy in (
        ResitPolicy.objects.filter(epao=epao)
        .select_related("epao", "recorded_by")
        .order_by("-recorded_at", "-pk")
    ):
        history.setdefault(policy.standard_version_id, []).append(policy)
    rows = []
    for plan in plans:
        recorded = history.get(plan.standard_version_id, [])
        rows.append(
            ResitPolicyRow(
                standard_version=plan.standard_version,
                plan=plan,
                rules=resit_rules(plan, recorded[0] if recorded else None),
                history=recorded,
            )
        )
    return rows
