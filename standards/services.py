"""Import and export standards in the public standards API JSON shape (DESIGN.md §7).

The file is one standard version with camelCase fields, as Skills England serves it.
Fields this project adds (all optional, ignored by other readers) carry what the API does
not: provenance labels, the default off-the-job split, the assessment plan as data.
Unknown fields are ignored. An import either applies completely or changes nothing.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from audit.services import record_event
from standards.models import (
    KSB,
    AssessmentMethod,
    AssessmentPlan,
    Duty,
    Provenance,
    StandardVersion,
)

API_SOURCE = "Skills England standards API"
KSB_LISTS = (
    # (file key, id key, kind, code prefix)
    ("knowledges", "knowledgeId", KSB.Kind.KNOWLEDGE, "K"),
    ("skills", "skillId", KSB.Kind.SKILL, "S"),
    ("behaviours", "behaviourId", KSB.Kind.BEHAVIOUR, "B"),
)
DUTY_MAP_KEYS = (
    ("mappedKnowledge", KSB.Kind.KNOWLEDGE),
    ("mappedSkills", KSB.Kind.SKILL),
    ("mappedBehaviour", KSB.Kind.BEHAVIOUR),
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
# Older feeds used other names for the same facts.
ALIASES = {
    "proposedTypicalDuration": ("typicalDuration",),
    "proposedMaxFunding": ("maxFunding",),
}
SECTIONS = ("knowledges", "skills", "behaviours", "duty_ksb_map")
PROVENANCE_VALUES = set(Provenance.values)


class StandardImportError(Exception):
    """The file cannot be imported; the message names the problem."""


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


@dataclass
class ImportResult:
    standard_version: StandardVersion
    created: bool
    counts: dict[str, int]
    warnings: list[str]


# -- parsing ---------------------------------------------------------------------------


def _fail(where: str, problem: str) -> StandardImportError:
    return StandardImportError(f"{where}: {problem}")


def _text(data: dict, key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise _fail(where, f"'{key}' is missing.")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(where, f"'{key}' must be text.")
    return value.strip()


def _int(data: dict, key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _fail(where, f"'{key}' must be a whole number.")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _fail(where, f"'{key}' must be a whole number, not {value!r}.") from None
    if not isinstance(value, int) or value < 0:
        raise _fail(where, f"'{key}' must be a whole number of 0 or more.")
    return value


def _date(data: dict, key: str, where: str) -> dt.date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _fail(where, f"'{key}' must be a date like 2022-07-20.")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _fail(where, f"'{key}' must be a date like 2022-07-20, not {value!r}.") from None


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, f"'{key}' must be a list.")
    return value


def _provenance(value: Any, where: str, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in PROVENANCE_VALUES:
        allowed = ", ".join(sorted(PROVENANCE_VALUES))
        raise _fail(where, f"provenance {value!r} is not one of {allowed}.")
    return value


def _fact_record(raw: Any, where: str, default: str) -> dict[str, str]:
    if isinstance(raw, str):
        raw = {"provenance": raw}
    if not isinstance(raw, dict):
        raise _fail(where, "a provenance entry must be an object or a label.")
    record = {"provenance": _provenance(raw.get("provenance"), where, default)}
    for key in ("source", "note", "codeProvenance"):
        if raw.get(key):
            record[key] = str(raw[key])
    return record


def parse_standard(data: Any) -> ParsedStandard:
    """Check a decoded file and turn it into plain values. Raises StandardImportError."""
    if not isinstance(data, dict):
        raise StandardImportError("The file must hold one JSON object: one standard version.")
    where = "standard"
    reference = _text(data, "referenceNumber", where, required=True).upper()
    version = _text(data, "version", where, required=True)
    if "duties" not in data:
        raise _fail(where, "'duties' is missing (give an empty list if none are loaded).")
    raw_facts = data.get("provenance") or {}
    if not isinstance(raw_facts, dict):
        raise _fail(where, "'provenance' must be an object.")
    has_provenance = bool(raw_facts)

    fields: dict[str, Any] = {}
    for model_field, key in SCALAR_FIELDS.items():
        source = dict(data)
        for alias in ALIASES.get(key, ()):
            if source.get(key) in (None, "") and source.get(alias) not in (None, ""):
                source[key] = source[alias]
        if model_field in {
            "level",
            "typical_duration_months",
            "max_funding",
            "minimum_programme_months",
            "otj_minimum_hours",
        }:
            fields[model_field] = _int(source, key, where)
        elif model_field == "approved_for_delivery":
            fields[model_field] = _date(source, key, where)
        elif model_field == "typical_job_titles":
            titles = source.get(key) or []
            if isinstance(titles, str):
                titles = [t.strip() for t in titles.split("|") if t.strip()]
            if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
                raise _fail(where, f"'{key}' must be a list of job titles.")
            fields[model_field] = titles
        else:
            fields[model_field] = _text(source, key, where, required=(key == "title"))

    facts: dict[str, dict[str, str]] = {}
    for model_field, key in SCALAR_FIELDS.items():
        empty = fields[model_field] in (None, "", [])
        default = Provenance.NOT_LOADED if empty else Provenance.VERIFIED
        raw = raw_facts.get(key)
        record = (
            _fact_record(raw, f"provenance.{key}", default)
            if raw
            else {
                "provenance": default,
                **({"source": API_SOURCE} if not has_provenance and not empty else {}),
            }
        )
        if empty:
            record["provenance"] = Provenance.NOT_LOADED
        facts[model_field] = record

    ksbs: list[dict[str, Any]] = []
    ids: dict[str, tuple[str, int]] = {}
    for list_key, id_key, kind, prefix in KSB_LISTS:
        items = _list(data, list_key, where)
        default = Provenance.VERIFIED if items else Provenance.NOT_LOADED
        section_raw = raw_facts.get(list_key)
        section = (
            _fact_record(section_raw, f"provenance.{list_key}", default)
            if section_raw
            else {"provenance": default}
        )
        if not items:
            section["provenance"] = Provenance.NOT_LOADED
        elif not has_provenance:
            section.setdefault("source", API_SOURCE)
        facts[list_key] = section
        for number, item in enumerate(items, start=1):
            item_where = f"{list_key}[{number - 1}]"
            if not isinstance(item, dict):
                raise _fail(item_where, "each item must be an object.")
            external_id = _text(item, id_key, item_where, required=True)
            detail = _text(item, "detail", item_where, required=True)
            if external_id in ids:
                raise _fail(item_where, f"the id {external_id!r} is used twice.")
            ids[external_id] = (kind, number)
            ksbs.append(
                {
                    "kind": kind,
                    "number": number,
                    "code": f"{prefix}{number}",
                    "external_id": external_id,
                    "text": detail,
                    "provenance": _provenance(
                        item.get("provenance"), item_where, section["provenance"]
                    ),
                    "code_provenance": _provenance(
                        item.get("codeProvenance"),
                        item_where,
                        section.get("codeProvenance", section["provenance"]),
                    ),
                    "source": str(item.get("source") or section.get("source", "")),
                }
            )

    duties: list[dict[str, Any]] = []
    any_mapping = False
    duty_items = _list(data, "duties", where)
    for number, item in enumerate(duty_items, start=1):
        item_where = f"duties[{number - 1}]"
        if not isinstance(item, dict):
            raise _fail(item_where, "each duty must be an object.")
        mapped: list[tuple[str, int]] = []
        for map_key, kind in DUTY_MAP_KEYS:
            for ksb_id in _list(item, map_key, item_where):
                key = str(ksb_id)
                if key not in ids or ids[key][0] != kind:
                    raise _fail(
                        item_where,
                        f"'{map_key}' names {key!r}, which is not a {kind} in this file.",
                    )
                mapped.append(ids[key])
        any_mapping = any_mapping or bool(mapped)
        weight = item.get("offTheJobWeight")
        if weight is not None:
            try:
                weight = Decimal(str(weight))
            except InvalidOperation:
                raise _fail(item_where, "'offTheJobWeight' must be a number.") from None
            if weight < 0:
                raise _fail(item_where, "'offTheJobWeight' cannot be negative.")
        core = item.get("isThisACoreDuty")
        duties.append(
            {
                "number": number,
                "external_id": _text(item, "dutyId", item_where)
                or _text(item, "dutyID", item_where),
                "text": _text(item, "dutyDetail", item_where, required=True),
                "is_core": None if core in (None, "") else bool(core),
                "provenance": _provenance(item.get("provenance"), item_where, Provenance.VERIFIED),
                "source": str(item.get("source") or ("" if has_provenance else API_SOURCE)),
                "ksbs": mapped,
                "otj_weight": weight,
                "otj_weight_provenance": _provenance(
                    item.get("offTheJobWeightProvenance"),
                    item_where,
                    Provenance.NOT_LOADED if weight is None else Provenance.VERIFIED,
                ),
                "otj_weight_note": str(item.get("offTheJobWeightNote") or ""),
            }
        )
    map_raw = raw_facts.get("dutyKsbMap")
    map_default = Provenance.VERIFIED if any_mapping else Provenance.NOT_LOADED
    facts["duty_ksb_map"] = (
        _fact_record(map_raw, "provenance.dutyKsbMap", map_default)
        if map_raw
        else {"provenance": map_default}
    )
    if not any_mapping:
        facts["duty_ksb_map"]["provenance"] = Provenance.NOT_LOADED

    plan = _parse_plan(data.get("assessmentPlan"), ids) if "assessmentPlan" in data else None
    return ParsedStandard(reference, version, fields, facts, ksbs, duties, plan)


def _parse_plan(raw: Any, ids: dict[str, tuple[str, int]]) -> dict[str, Any] | None:
    if raw is None:
        return None
    where = "assessmentPlan"
    if not isinstance(raw, dict):
        raise _fail(where, "must be an object.")
    provenance = _provenance(raw.get("provenance"), where, Provenance.VERIFIED)
    overall = _list(raw, "overallGrades", where)
    if not overall or not all(isinstance(g, str) and g for g in overall):
        raise _fail(where, "'overallGrades' must list the grades, lowest first.")
    methods = []
    codes: set[str] = set()
    for order, item in enumerate(_list(raw, "methods", where), start=1):
        m_where = f"{where}.methods[{order - 1}]"
        if not isinstance(item, dict):
            raise _fail(m_where, "each method must be an object.")
        code = _text(item, "code", m_where, required=True)
        if code in codes:
            raise _fail(m_where, f"the method code {code!r} is used twice.")
        codes.add(code)
        options = _list(item, "gradeOptions", m_where)
        if not options or any(g not in overall for g in options):
            raise _fail(m_where, "'gradeOptions' must be a non-empty list of overall grades.")
        sessions = _int(item, "sessions", m_where) or 1
        remote = _list(item, "remoteSessions", m_where)
        if any(not isinstance(s, int) or not 1 <= s <= sessions for s in remote):
            raise _fail(m_where, "'remoteSessions' must list session numbers.")
        themes = _list(item, "themes", m_where)
        if not all(isinstance(t, str) and t for t in themes):
            raise _fail(m_where, "'themes' must be a list of text.")
        mapped = []
        for ksb_id in _list(item, "mappedKsbs", m_where):
            if str(ksb_id) not in ids:
                raise _fail(m_where, f"'mappedKsbs' names {ksb_id!r}, which is not in this file.")
            mapped.append(ids[str(ksb_id)])
        methods.append(
            {
                "code": code,
                "order": order,
                "name": _text(item, "name", m_where, required=True),
                "duration_minutes": _int(item, "durationMinutes", m_where),
                "sessions": sessions,
                "remote_sessions": remote,
                "min_questions_per_session": _int(item, "minQuestionsPerSession", m_where),
                "min_questions": _int(item, "minQuestions", m_where),
                "themes": themes,
                "grade_options": options,
                "setting": _text(item, "setting", m_where),
                "provenance": _provenance(item.get("provenance"), m_where, provenance),
                "source": str(item.get("source") or raw.get("source") or ""),
                "ksbs": mapped,
            }
        )
    if not methods:
        raise _fail(where, "'methods' must list at least one assessment method.")
    table = _parse_grade_table(raw.get("gradeTable"), methods, overall)
    cap = _text(raw, "resitGradeCap", where)
    if cap and cap not in overall:
        raise _fail(where, f"'resitGradeCap' {cap!r} is not one of the overall grades.")
    requirements = []
    for index, req in enumerate(_list(raw, "gatewayRequirements", where)):
        r_where = f"{where}.gatewayRequirements[{index}]"
        if not isinstance(req, dict):
            raise _fail(r_where, "must be an object with 'text'.")
        requirements.append(
            {
                "text": _text(req, "text", r_where, required=True),
                "provenance": _provenance(req.get("provenance"), r_where, provenance),
                "source": str(req.get("source") or ""),
            }
        )
    facts_raw = raw.get("facts") or {}
    if not isinstance(facts_raw, dict):
        raise _fail(where, "'facts' must be an object.")
    facts = {
        key: _fact_record(value, f"{where}.facts.{key}", provenance)
        for key, value in facts_raw.items()
    }
    return {
        "reference": _text(raw, "reference", where),
        "provenance": provenance,
        "source": str(raw.get("source") or ""),
        "overall_grades": overall,
        "grade_table": table,
        "epa_window_months": _int(raw, "epaWindowMonths", where),
        "resit_grade_cap": cap,
        "gateway_requirements": requirements,
        "facts": facts,
        "methods": methods,
    }


def _parse_grade_table(raw: Any, methods: list[dict], overall: list[str]) -> list[dict]:
    where = "assessmentPlan.gradeTable"
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "must list the overall grade for every combination of method grades.")
    codes = [m["code"] for m in methods]
    seen: dict[tuple[str, ...], str] = {}
    table = []
    for index, row in enumerate(raw):
        r_where = f"{where}[{index}]"
        if not isinstance(row, dict) or not isinstance(row.get("grades"), dict):
            raise _fail(r_where, "each row needs 'grades' (method code to grade) and 'overall'.")
        grades = row["grades"]
        if set(grades) != set(codes):
            raise _fail(r_where, f"'grades' must give a grade for each of {', '.join(codes)}.")
        for method in methods:
            if grades[method["code"]] not in method["grade_options"]:
                raise _fail(
                    r_where, f"{grades[method['code']]!r} is not a grade of {method['code']}."
                )
        if row.get("overall") not in overall:
            raise _fail(r_where, f"'overall' must be one of {', '.join(overall)}.")
        key = tuple(grades[c] for c in codes)
        if key in seen:
            raise _fail(r_where, "this combination of grades is listed twice.")
        seen[key] = row["overall"]
        table.append({"grades": {c: grades[c] for c in codes}, "overall": row["overall"]})
    expected = 1
    for method in methods:
        expected *= len(method["grade_options"])
    if len(seen) != expected:
        raise _fail(where, f"covers {len(seen)} of the {expected} combinations of method grades.")
    return table


def load_standard_file(path: str | Path) -> Any:
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


# -- applying --------------------------------------------------------------------------


@transaction.atomic
def import_standard(*, data: Any) -> ImportResult:
    """Upsert one standard version from decoded API JSON, all or nothing.

    Re-importing the same file changes nothing. A value the provider entered while the
    official one was not loaded (the off-the-job minimum) is kept when the file has none.
    """
    parsed = parse_standard(data)
    version, created = StandardVersion.objects.select_for_update().get_or_create(
        reference=parsed.reference,
        version=parsed.version,
        defaults={"title": parsed.fields["title"]},
    )
    fields = dict(parsed.fields)
    facts = dict(parsed.facts)
    if (
        fields["otj_minimum_hours"] is None
        and version.otj_minimum_hours is not None
        and version.fact_provenance("otj_minimum_hours") == Provenance.PROVIDER
    ):
        fields["otj_minimum_hours"] = version.otj_minimum_hours
        facts["otj_minimum_hours"] = version.fact("otj_minimum_hours")
    for name, value in fields.items():
        setattr(version, name, value)
    version.facts = facts
    version.full_clean()
    version.save()

    ksb_ids = _upsert_ksbs(version, parsed.ksbs)
    _upsert_duties(version, parsed.duties, ksb_ids)
    if parsed.plan is not None:
        _upsert_plan(version, parsed.plan, ksb_ids)
    counts = {
        "duties": len(parsed.duties),
        "knowledge": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.KNOWLEDGE),
        "skills": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.SKILL),
        "behaviours": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.BEHAVIOUR),
        "assessment_methods": len(parsed.plan["methods"]) if parsed.plan else 0,
    }
    return ImportResult(version, created, counts, parsed.warnings)


def _upsert_ksbs(version: StandardVersion, items: list[dict]) -> dict[tuple[str, int], int]:
    existing = {(k.kind, k.number): k for k in version.ksbs.all()}
    keep: dict[tuple[str, int], int] = {}
    for item in items:
        key = (item["kind"], item["number"])
        ksb = existing.pop(key, None) or KSB(standard_version=version)
        for name, value in item.items():
            setattr(ksb, name, value)
        ksb.full_clean(validate_unique=False)
        ksb.save()
        keep[key] = ksb.pk
    if existing:
        try:
            KSB.objects.filter(pk__in=[k.pk for k in existing.values()]).delete()
        except ProtectedError:
            codes = ", ".join(sorted(k.code for k in existing.values()))
            raise StandardImportError(
                f"The file no longer lists {codes}, but evidence is mapped to them, so they "
                "cannot be removed. Nothing was imported."
            ) from None
    return keep


def _upsert_duties(version: StandardVersion, items: list[dict], ksb_ids: dict) -> None:
    existing = {d.number: d for d in version.duties.all()}
    for item in items:
        duty = existing.pop(item["number"], None) or Duty(standard_version=version)
        values = {k: v for k, v in item.items() if k != "ksbs"}
        if values["otj_weight"] is None and duty.otj_weight is not None:
            # The API never carries the split; keep the one loaded before.
            for name in ("otj_weight", "otj_weight_provenance", "otj_weight_note"):
                values.pop(name)
        for name, value in values.items():
            setattr(duty, name, value)
        duty.full_clean(validate_unique=False)
        duty.save()
        duty.ksbs.set([ksb_ids[key] for key in item["ksbs"]])
    if existing:
        try:
            Duty.objects.filter(pk__in=[d.pk for d in existing.values()]).delete()
        except ProtectedError:
            numbers = ", ".join(str(n) for n in sorted(existing))
            raise StandardImportError(
                f"The file no longer lists duty {numbers}, but records refer to it, so it "
                "cannot be removed. Nothing was imported."
            ) from None


def _upsert_plan(version: StandardVersion, plan: dict, ksb_ids: dict) -> None:
    record, _ = AssessmentPlan.objects.get_or_create(standard_version=version)
    for name, value in plan.items():
        if name != "methods":
            setattr(record, name, value)
    record.full_clean()
    record.save()
    existing = {m.code: m for m in record.methods.all()}
    for item in plan["methods"]:
        method = existing.pop(item["code"], None) or AssessmentMethod(plan=record)
        for name, value in item.items():
            if name != "ksbs":
                setattr(method, name, value)
        method.full_clean(validate_unique=False)
        method.save()
        method.ksbs.set([ksb_ids[key] for key in item["ksbs"]])
    if existing:
        try:
            AssessmentMethod.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
        except ProtectedError:
            codes = ", ".join(sorted(existing))
            raise StandardImportError(
                f"The file no longer lists method {codes}, but results refer to it, so it "
                "cannot be removed. Nothing was imported."
            ) from None


# -- exporting -------------------------------------------------------------------------


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
    ksbs = sorted(version.ksbs.all(), key=lambda k: (k.kind_order, k.number))
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
    for duty in version.duties.all():
        mapped = {kind: [] for _key, kind in DUTY_MAP_KEYS}
        for ksb in sorted(duty.ksbs.all(), key=lambda k: (k.kind_order, k.number)):
            mapped[ksb.kind].append(ksb.external_id)
        data["duties"].append(
            {
                "dutyId": duty.external_id,
                "dutyDetail": duty.text,
                "isThisACoreDuty": None if duty.is_core is None else int(duty.is_core),
                **{key: mapped[kind] for key, kind in DUTY_MAP_KEYS},
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
            "resitGradeCap": plan.resit_grade_cap,
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


# -- facts the provider enters while the official value is not loaded ------------------


class StandardFactError(Exception):
    """A change to a standard's facts that is not allowed; the message says why."""


MAX_OTJ_MINIMUM_HOURS = 5000


def may_enter_otj_minimum(version: StandardVersion) -> bool:
    """A provider may enter the off-the-job minimum only while no official one is loaded."""
    return (
        version.otj_minimum_hours is None
        or version.fact_provenance("otj_minimum_hours") == Provenance.PROVIDER
    )


@transaction.atomic
def set_provider_otj_minimum(
    *, standard_version: StandardVersion, hours: int, source: str, provider_name: str, by
) -> StandardVersion:
    """Enter the standard's minimum off-the-job hours for starts from 1 August 2025 while
    the official figure is not loaded. Its provenance becomes "provider", with who entered
    it and where the figure comes from; importing a file that has the figure replaces it."""
    locked = StandardVersion.objects.select_for_update().get(pk=standard_version.pk)
    if not may_enter_otj_minimum(locked):
        raise StandardFactError(
            "The official minimum is loaded for this standard; it changes only by importing "
            "the standard again."
        )
    if not 0 < hours <= MAX_OTJ_MINIMUM_HOURS:
        raise StandardFactError(
            f"Enter a whole number of hours between 1 and {MAX_OTJ_MINIMUM_HOURS}."
        )
    source = source.strip()
    if not source:
        raise StandardFactError("Say where the figure comes from, so others can check it.")
    before = {"otj_minimum_hours": locked.otj_minimum_hours, **locked.fact("otj_minimum_hours")}
    facts = dict(locked.facts)
    facts["otj_minimum_hours"] = {
        "provenance": Provenance.PROVIDER,
        "source": f"Entered by {provider_name}",
        "note": source,
    }
    locked.otj_minimum_hours = hours
    locked.facts = facts
    locked.full_clean()
    locked.save(update_fields=["otj_minimum_hours", "facts", "updated_at"])
    record_event(
        action="standard.otj_minimum_entered",
        obj=locked,
        actor=by,
        summary=f"Entered {hours} hours as the off-the-job minimum of {locked}",
        before=before,
        after={"otj_minimum_hours": hours, **facts["otj_minimum_hours"]},
    )
    return locked
