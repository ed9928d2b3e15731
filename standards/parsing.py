"""Read a standards file into plain values (DESIGN.md §7).

The file is one standard version with camelCase fields, as Skills England serves it.
Fields this project adds (all optional, ignored by other readers) carry what the API does
not: provenance labels, the default off-the-job split, the assessment plan as data.
schema.py checks the shape of each value; this module checks what needs the whole file
(ids, mappings, the grade table) and works out each fact's provenance where the file does
not give it. A refusal names where in the file the problem is.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from standards.errors import StandardImportError, describe, describe_errors
from standards.models import KSB, Provenance
from standards.schema import (
    DutyItem,
    FactRecord,
    KsbItem,
    MethodItem,
    PlanFile,
    StandardFile,
)

API_SOURCE = "Skills England standards API"
KSB_LISTS = (
    # (file key, id key, kind, code prefix)
    ("knowledges", "knowledgeId", KSB.Kind.KNOWLEDGE, "K"),
    ("skills", "skillId", KSB.Kind.SKILL, "S"),
    ("behaviours", "behaviourId", KSB.Kind.BEHAVIOUR, "B"),
)
DUTY_MAP_KEYS = (
    # (file key, attribute of DutyItem, kind)
    ("mappedKnowledge", "mapped_knowledge", KSB.Kind.KNOWLEDGE),
    ("mappedSkills", "mapped_skills", KSB.Kind.SKILL),
    ("mappedBehaviour", "mapped_behaviour", KSB.Kind.BEHAVIOUR),
)
# Standard-level facts: model field -> file key.
SCALAR_FIELDS = {
    "title": "title",
    "level": "level",
    "status": "status",
    "route": "route",
    "lars_code": "larsCode",
    "occupation_reference": "occupationReference",
    "overview": "overviewOfRole",
    "typical_duration_months": "proposedTypicalDuration",
    "max_funding": "proposedMaxFunding",
    "approved_for_delivery": "approvedForDelivery",
    "typical_job_titles": "typicalJobTitles",
    "assessment_plan_url": "assessmentPlanUrl",
    "standard_page_url": "standardPageUrl",
    "minimum_programme_months": "minimumOnProgrammeMonths",
    "otj_minimum_hours": "minimumOffTheJobHours",
}
# KSB ids in the file -> (kind, number), for the duty and method mappings.
KsbIds = dict[str, tuple[str, int]]


@dataclass
class ParsedStandard:
    reference: str
    version: str
    fields: dict[str, Any]
    facts: dict[str, dict[str, str]]
    ksbs: list[dict[str, Any]]
    duties: list[dict[str, Any]]
    plan: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)


def _refuse(loc: tuple[str | int, ...], problem: str) -> StandardImportError:
    return StandardImportError(describe(loc, problem))


def load_standard_file(path: str | Path) -> Any:
    """The decoded JSON of a file on disk. Raises StandardImportError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StandardImportError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StandardImportError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc


def parse_standard(data: Any) -> ParsedStandard:
    """Check a decoded file and turn it into plain values. Raises StandardImportError."""
    if not isinstance(data, dict):
        raise StandardImportError("The file must hold one JSON object: one standard version.")
    try:
        standard = StandardFile.model_validate(data)
    except ValidationError as error:
        raise StandardImportError(describe_errors(error)) from None
    labelled = standard.provenance is not None
    fields = {name: getattr(standard, name) for name in SCALAR_FIELDS}
    facts = _scalar_facts(standard, fields, labelled=labelled)
    ksbs: list[dict[str, Any]] = []
    ids: KsbIds = {}
    for list_key, id_key, kind, prefix in KSB_LISTS:
        items = getattr(standard, list_key)
        section = _section_fact(standard, list_key, loaded=bool(items))
        if items and not labelled:
            section.setdefault("source", API_SOURCE)
        facts[list_key] = section
        for number, item in enumerate(items, start=1):
            if item.external_id in ids:
                raise _refuse(
                    (list_key, number - 1, id_key),
                    f"is {item.external_id!r}, an id that is used twice",
                )
            ids[item.external_id] = (kind, number)
            ksbs.append(_ksb(item, kind, number, f"{prefix}{number}", section))
    duties = [
        _duty(item, index, ids, labelled=labelled) for index, item in enumerate(standard.duties)
    ]
    any_mapping = any(duty["ksbs"] for duty in duties)
    facts["duty_ksb_map"] = _section_fact(standard, "dutyKsbMap", loaded=any_mapping)
    plan = _plan(standard.assessment_plan, ids) if standard.assessment_plan else None
    return ParsedStandard(
        standard.reference.upper(), standard.version, fields, facts, ksbs, duties, plan
    )


# -- provenance ------------------------------------------------------------------------


def _record(raw: FactRecord | None, default: str) -> dict[str, str]:
    """A fact's provenance record as stored: the file's label (or `default`) and, when
    given, its source, note and the provenance of the codes."""
    if raw is None:
        return {"provenance": default}
    record = {"provenance": raw.provenance or default}
    for key, value in (
        ("source", raw.source),
        ("note", raw.note),
        ("codeProvenance", raw.code_provenance),
    ):
        if value:
            record[key] = value
    return record


def _scalar_facts(
    standard: StandardFile, fields: dict[str, Any], *, labelled: bool
) -> dict[str, dict[str, str]]:
    """A fact the file leaves empty is "not loaded"; an official API file, which has no
    labels at all, is verified, from the API."""
    facts = {}
    for model_field, key in SCALAR_FIELDS.items():
        empty = fields[model_field] in (None, "", [])
        raw = getattr(standard.provenance, key) if labelled else None
        record = _record(raw, Provenance.NOT_LOADED if empty else Provenance.VERIFIED)
        if raw is None and not labelled and not empty:
            record["source"] = API_SOURCE
        if empty:
            record["provenance"] = Provenance.NOT_LOADED
        facts[model_field] = record
    return facts


def _section_fact(standard: StandardFile, key: str, *, loaded: bool) -> dict[str, str]:
    """A section (a KSB list, the duty map): "not loaded" when the file has none of it."""
    raw = getattr(standard.provenance, key) if standard.provenance is not None else None
    section = _record(raw, Provenance.VERIFIED if loaded else Provenance.NOT_LOADED)
    if not loaded:
        section["provenance"] = Provenance.NOT_LOADED
    return section


# -- KSBs and duties -------------------------------------------------------------------


def _ksb(item: KsbItem, kind: str, number: int, code: str, section: dict) -> dict[str, Any]:
    """One KSB; what the item does not label takes its section's label."""
    return {
        "kind": kind,
        "number": number,
        "code": code,
        "external_id": item.external_id,
        "text": item.detail,
        "provenance": item.provenance or section["provenance"],
        "code_provenance": item.code_provenance
        or section.get("codeProvenance", section["provenance"]),
        "source": item.source or section.get("source", ""),
    }


def _duty(item: DutyItem, index: int, ids: KsbIds, *, labelled: bool) -> dict[str, Any]:
    mapped: list[tuple[str, int]] = []
    for map_key, attribute, kind in DUTY_MAP_KEYS:
        for ksb_id in getattr(item, attribute):
            key = str(ksb_id)
            if key not in ids or ids[key][0] != kind:
                raise _refuse(
                    ("duties", index, map_key),
                    f"names {key!r}, which is not a {kind} in this file",
                )
            mapped.append(ids[key])
    weight = item.otj_weight
    return {
        "number": index + 1,
        "external_id": item.external_id,
        "text": item.detail,
        "is_core": None if item.is_core in (None, "") else bool(item.is_core),
        "provenance": item.provenance or Provenance.VERIFIED,
        "source": item.source or ("" if labelled else API_SOURCE),
        "ksbs": mapped,
        "otj_weight": weight,
        "otj_weight_provenance": item.otj_weight_provenance
        or (Provenance.NOT_LOADED if weight is None else Provenance.VERIFIED),
        "otj_weight_note": item.otj_weight_note,
    }


# -- the assessment plan ---------------------------------------------------------------


def _plan(plan: PlanFile, ids: KsbIds) -> dict[str, Any]:
    provenance = plan.provenance or Provenance.VERIFIED
    overall = plan.overall_grades
    methods: list[dict[str, Any]] = []
    for index, item in enumerate(plan.methods):
        if any(item.code == other["code"] for other in methods):
            raise _refuse(
                ("assessmentPlan", "methods", index, "code"),
                f"is {item.code!r}, a method code that is used twice",
            )
        methods.append(_method(item, index, plan, ids, provenance))
    table = _grade_table(plan, methods)
    if plan.resit_grade_cap and plan.resit_grade_cap not in overall:
        raise _refuse(
            ("assessmentPlan", "resitGradeCap"),
            f"is {plan.resit_grade_cap!r}, which is not one of the overall grades",
        )
    return {
        "reference": plan.reference,
        "provenance": provenance,
        "source": plan.source,
        "overall_grades": overall,
        "grade_table": table,
        "epa_window_months": plan.epa_window_months,
        "epa_window_is_maximum": plan.epa_window_is_maximum,
        "resit_grade_cap": plan.resit_grade_cap,
        "resit_scope": plan.resit_scope,
        "every_theme_required": plan.every_theme_required,
        "gateway_requirements": [
            {
                "text": requirement.text,
                "provenance": requirement.provenance or provenance,
                "source": requirement.source,
            }
            for requirement in plan.gateway_requirements
        ],
        "facts": {key: _record(value, provenance) for key, value in plan.facts.items()},
        "methods": methods,
    }


def _method(
    item: MethodItem, index: int, plan: PlanFile, ids: KsbIds, provenance: str
) -> dict[str, Any]:
    where = ("assessmentPlan", "methods", index)
    options = item.grade_options
    if not options or any(grade not in plan.overall_grades for grade in options):
        raise _refuse((*where, "gradeOptions"), "must be a non-empty list of overall grades")
    sessions = item.sessions or 1
    if any(not 1 <= number <= sessions for number in item.remote_sessions):
        raise _refuse((*where, "remoteSessions"), f"must list session numbers from 1 to {sessions}")
    mapped = []
    for ksb_id in item.mapped_ksbs:
        if str(ksb_id) not in ids:
            raise _refuse((*where, "mappedKsbs"), f"names {ksb_id!r}, which is not in this file")
        mapped.append(ids[str(ksb_id)])
    return {
        "code": item.code,
        "order": index + 1,
        "name": item.name,
        "duration_minutes": item.duration_minutes,
        "sessions": sessions,
        "remote_sessions": item.remote_sessions,
        "min_questions_per_session": item.min_questions_per_session,
        "min_questions": item.min_questions,
        "themes": item.themes,
        "grade_options": options,
        "setting": item.setting,
        "provenance": item.provenance or provenance,
        "source": item.source or plan.source,
        "ksbs": mapped,
    }


def _grade_table(plan: PlanFile, methods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every combination of method grades, each once, with an overall grade."""
    codes = [method["code"] for method in methods]
    seen: set[tuple[str, ...]] = set()
    table = []
    for index, row in enumerate(plan.grade_table):
        where = ("assessmentPlan", "gradeTable", index)
        if set(row.grades) != set(codes):
            raise _refuse((*where, "grades"), f"must give a grade for each of {', '.join(codes)}")
        for method in methods:
            grade = row.grades[method["code"]]
            if grade not in method["grade_options"]:
                raise _refuse(
                    (*where, "grades"),
                    f"gives {grade!r} for {method['code']}, which is not one of its grades",
                )
        if row.overall not in plan.overall_grades:
            raise _refuse((*where, "overall"), f"must be one of {', '.join(plan.overall_grades)}")
        key = tuple(row.grades[code] for code in codes)
        if key in seen:
            raise _refuse(where, "repeats a combination of grades listed before")
        seen.add(key)
        table.append({"grades": {code: row.grades[code] for code in codes}, "overall": row.overall})
    expected = 1
    for method in methods:
        expected *= len(method["grade_options"])
    if len(seen) != expected:
        raise _refuse(
            ("assessmentPlan", "gradeTable"),
            f"covers {len(seen)} of the {expected} combinations of method grades",
        )
    return table
