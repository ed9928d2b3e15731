"""Reads of standards that several pages and commands share. Nothing here changes state."""

import datetime as dt
from typing import Any

from standards.models import StandardVersion
from standards.parsing import DUTY_MAP_KEYS, KSB_LISTS, SCALAR_FIELDS


def export_standard(*, standard_version: StandardVersion) -> dict[str, Any]:
    """The standard version in the shape `import_standard` reads (export, then import,
    gives the same data)."""
    version = StandardVersion.objects.for_detail_page().get(pk=standard_version.pk)
    data: dict[str, Any] = {"referenceNumber": version.reference, "version": version.version}
    for model_field, key in SCALAR_FIELDS.items():
        value = getattr(version, model_field)
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[key] = value if value != "" else None
    # Retired statements are not in the standard any more, only on the records that used them.
    ksbs = sorted(
        (k for k in version.ksbs.all() if not k.is_retired), key=lambda k: (k.kind_order, k.number)
    )
    id_of = {k.pk: k.external_id for k in ksbs}
    for list_key, id_key, kind, _prefix in KSB_LISTS:
        data[list_key] = [
            {
                id_key: k.external_id,
                "detail": k.text,
                "provenance": k.provenance,
                "codeProvenance": k.code_provenance,
                "source": k.source,
            }
            for k in ksbs
            if k.kind == kind
        ]
    data["duties"] = []
    for duty in (d for d in version.duties.all() if not d.is_retired):
        mapped: dict[str, list[str]] = {kind: [] for _key, _attribute, kind in DUTY_MAP_KEYS}
        for ksb in sorted(duty.ksbs.all(), key=lambda k: (k.kind_order, k.number)):
            mapped[ksb.kind].append(ksb.external_id)
        data["duties"].append(
            {
                "dutyId": duty.external_id,
                "dutyDetail": duty.text,
                "isThisACoreDuty": None if duty.is_core is None else int(duty.is_core),
                **{key: mapped[kind] for key, _attribute, kind in DUTY_MAP_KEYS},
                "provenance": duty.provenance,
                "source": duty.source,
                "offTheJobWeight": None if duty.otj_weight is None else float(duty.otj_weight),
                "offTheJobWeightProvenance": duty.otj_weight_provenance,
                "offTheJobWeightNote": duty.otj_weight_note,
            }
        )
    facts = {}
    for model_field, key in SCALAR_FIELDS.items():
        facts[key] = version.fact(model_field)
    section_keys = {
        "knowledges": "knowledges",
        "skills": "skills",
        "behaviours": "behaviours",
        "duty_ksb_map": "dutyKsbMap",
    }
    for name, key in section_keys.items():
        facts[key] = version.fact(name)
    data["provenance"] = facts
    plan = getattr(version, "assessment_plan", None)
    if plan is not None:
        data["assessmentPlan"] = {
            "reference": plan.reference,
            "provenance": plan.provenance,
            "source": plan.source,
            "overallGrades": plan.overall_grades,
            "gradeTable": plan.grade_table,
            "epaWindowMonths": plan.epa_window_months,
            "epaWindowIsMaximum": plan.epa_window_is_maximum,
            "resitGradeCap": plan.resit_grade_cap,
            "resitScope": plan.resit_scope,
            "everyThemeRequired": plan.every_theme_required,
            "gatewayRequirements": plan.gateway_requirements,
            "facts": plan.facts,
            "methods": [
                {
                    "code": m.code,
                    "name": m.name,
                    "durationMinutes": m.duration_minutes,
                    "sessions": m.sessions,
                    "remoteSessions": m.remote_sessions,
                    "minQuestionsPerSession": m.min_questions_per_session,
                    "minQuestions": m.min_questions,
                    "themes": m.themes,
                    "gradeOptions": m.grade_options,
                    "setting": m.setting,
                    "provenance": m.provenance,
                    "source": m.source,
                    "mappedKsbs": [id_of[k.pk] for k in m.ksbs.all()],
                }
                for m in plan.methods.all()
            ],
        }
    return data
