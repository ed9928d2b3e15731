"""Import one standard version from a standards file, all or nothing (DESIGN.md §7)."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from accounts.models import User
from audit.services import record_event
from standards.errors import StandardImportError
from standards.models import (
    KSB,
    AssessmentMethod,
    AssessmentPlan,
    Duty,
    Provenance,
    StandardVersion,
)
from standards.parsing import parse_standard


@dataclass
class ImportResult:
    standard_version: StandardVersion
    created: bool
    counts: dict[str, int]
    warnings: list[str]


@transaction.atomic
def import_standard(*, data: Any, by: User | None = None, by_label: str = "") -> ImportResult:
    """Upsert one standard version from decoded API JSON, all or nothing, and record it in
    the history as done by `by` (or, with no account, by `by_label`).

    Re-importing the same file changes nothing but the history. A value the provider
    entered while the official one was not loaded (the off-the-job minimum) is kept when the
    file has none. Raises StandardImportError, and then nothing has changed.
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
    record_event(
        action="standard.imported",
        obj=version,
        actor=by,
        actor_label=by_label,
        summary=f"{'Imported' if created else 'Imported again'} {version}",
        after=counts,
    )
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
                "cannot be removed."
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
                "cannot be removed."
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
                "cannot be removed."
            ) from None
