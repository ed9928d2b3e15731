"""Import one standard version from a standards file, all or nothing (DESIGN.md §7).

Importing a version already loaded never re-points records silently. The statements in
the file are compared with those loaded, code by code (services/plans.py); statements
that are only added apply at once, but a changed or removed statement needs a choice for
each code: keep the records on the old statement, which is retired and still shown on
them, or move them to a code in the file. Without the choices nothing is written and
ImportNeedsChoice carries the differences to show.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import record_event
from standards.errors import ReferenceMoveError, StandardImportError
from standards.models import (
    KSB,
    AssessmentMethod,
    AssessmentPlan,
    Duty,
    StandardVersion,
)
from standards.parsing import ParsedStandard, parse_standard
from standards.services.plans import (
    ADDED,
    CHANGED,
    DUTY_PREFIX,
    KEEP_RETIRED,
    ImportPlan,
    StatementChange,
    plan_import,
)
from standards.services.references import count_references, move_references


class ImportNeedsChoice(StandardImportError):
    """The file changes or removes statements that are loaded; `plan` says how."""

    def __init__(self, plan: ImportPlan, message: str = "") -> None:
        self.plan = plan
        codes = ", ".join(s.code for s in plan.needing_choice)
        super().__init__(
            message
            or f"This file changes or removes statements already loaded ({codes}). Choose "
            "for each whether the records that refer to it stay on the old statement, kept "
            "as retired, or move to a code in the file."
        )


class PlanChanged(ImportNeedsChoice):
    """The statements changed between showing the differences and applying the choice."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(
            plan,
            "The standard or the file changed since the differences were shown, so nothing "
            "was imported. Check the differences below and choose again.",
        )


@dataclass
class ImportResult:
    standard_version: StandardVersion
    created: bool
    counts: dict[str, int]
    warnings: list[str]
    plan: ImportPlan | None = None
    # What happened to each changed or removed code: {code: "retired" or "moved to K4"}.
    outcomes: dict[str, str] = field(default_factory=dict)


def preview_import(*, data: Any) -> tuple[ParsedStandard, ImportPlan | None]:
    """The file, checked, and what importing it would change in the version already loaded
    (None when the version is new). Writes nothing. Raises StandardImportError."""
    parsed = parse_standard(data)
    version = StandardVersion.objects.filter(
        reference=parsed.reference, version=parsed.version
    ).first()
    return parsed, plan_import(version, parsed) if version is not None else None


@transaction.atomic
def import_standard(
    *,
    data: Any,
    by: User | None = None,
    by_label: str = "",
    choices: Mapping[str, str] | None = None,
    keep_retired: bool = False,
    expected_plan: str = "",
) -> ImportResult:
    """Upsert one standard version from decoded API JSON, all or nothing, and record it in
    the history as done by `by` (or, with no account, by `by_label`).

    For a version already loaded, `choices` says for each changed or removed code
    (K3, D2) either KEEP_RETIRED or the code in the file its records move to;
    `keep_retired` keeps every code not in `choices` on its old statement. A statement
    nothing refers to is simply replaced. `expected_plan` is the fingerprint of the
    differences the choice was made on; if they have changed since, PlanChanged.

    Re-importing the same file changes nothing but the history. A value the provider
    entered while the official one was not loaded (the off-the-job minimum) is kept when the
    file has none. Raises StandardImportError (ImportNeedsChoice when a choice is missing),
    and then nothing has changed.
    """
    parsed = parse_standard(data)
    version = (
        StandardVersion.objects.select_for_update()
        .filter(reference=parsed.reference, version=parsed.version)
        .first()
    )
    created = version is None
    plan = None
    decisions: dict[str, str] = {}
    if version is not None:
        plan = plan_import(version, parsed)
        if expected_plan and expected_plan != plan.fingerprint:
            raise PlanChanged(plan)
        decisions = _decide(plan, choices or {}, keep_retired=keep_retired)
    else:
        version = StandardVersion(reference=parsed.reference, version=parsed.version)
    _save_version(version, parsed)

    ksb_ids, retired = _write_ksbs(version, parsed.ksbs, plan)
    duty_ids, retired_duties = _write_duties(version, parsed.duties, ksb_ids, plan)
    if parsed.plan is not None:
        _upsert_plan(version, parsed.plan, ksb_ids)
    else:
        _relink_methods(retired, _ksb_ids_by_code(parsed, ksb_ids))
    outcomes = {}
    if plan is not None:
        by_code = {**_ksb_ids_by_code(parsed, ksb_ids), **duty_ids}
        outcomes = _settle(plan, decisions, by_code, retired, retired_duties)
    counts = {
        "duties": len(parsed.duties),
        "knowledge": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.KNOWLEDGE),
        "skills": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.SKILL),
        "behaviours": sum(1 for k in parsed.ksbs if k["kind"] == KSB.Kind.BEHAVIOUR),
        "assessment_methods": len(parsed.plan["methods"]) if parsed.plan else 0,
    }
    after: dict[str, Any] = dict(counts)
    if plan is not None:
        after["statements"] = {
            "added": [s.code for s in plan.added],
            "changed": [s.code for s in plan.changed],
            "removed": [s.code for s in plan.removed],
        }
        after["outcomes"] = outcomes
        after["references"] = {s.code: s.references for s in plan.needing_choice}
        after["duty_ksb_map"] = {
            m.duty: {"added": m.added, "removed": m.removed} for m in plan.map_changes
        }
    record_event(
        action=AuditAction.STANDARD_IMPORTED,
        obj=version,
        actor=by,
        actor_label=by_label,
        summary=f"{'Imported' if created else 'Imported again'} {version}",
        after=after,
    )
    return ImportResult(version, created, counts, parsed.warnings, plan, outcomes)


def _decide(plan: ImportPlan, choices: Mapping[str, str], *, keep_retired: bool) -> dict[str, str]:
    """{changed or removed code: KEEP_RETIRED or the code to move to}, checked against the
    plan. Raises StandardImportError for a choice that makes no sense, ImportNeedsChoice
    when a code has none."""
    pending = {s.code: s for s in plan.needing_choice}
    unknown = sorted(set(choices) - set(pending))
    if unknown:
        raise StandardImportError(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not changed or "
            "removed by this file; only the records of a changed or removed statement move."
        )
    decisions = {}
    for code, change in pending.items():
        choice = choices.get(code) or (KEEP_RETIRED if keep_retired else "")
        if not choice:
            raise ImportNeedsChoice(plan)
        if choice != KEEP_RETIRED:
            targets = {s.code for s in plan.targets(duty=change.is_duty)}
            if choice not in targets:
                kind = "duty" if change.is_duty else "KSB"
                raise StandardImportError(
                    f"{code} cannot move to {choice}: choose a {kind} code that is in the file."
                )
        decisions[code] = choice
    return decisions


def _save_version(version: StandardVersion, parsed: ParsedStandard) -> None:
    fields = dict(parsed.fields)
    facts = dict(parsed.facts)
    for name, value in fields.items():
        setattr(version, name, value)
    version.facts = facts
    version.full_clean()
    version.save()


def _needs_new_row(plan: ImportPlan | None, code: str) -> bool:
    return plan is None or any(
        s.code == code and s.status in (ADDED, CHANGED) for s in plan.statements
    )


def _write_ksbs(
    version: StandardVersion, items: list[dict], plan: ImportPlan | None
) -> tuple[dict[tuple[str, int], int], dict[str, KSB]]:
    """Retire the changed and removed statements, update the unchanged ones in place and
    add the rest. Returns the current KSB id of each (kind, number) in the file, and the
    statements retired, by code."""
    now = timezone.now()
    current = {k.code: k for k in KSB.objects.current().filter(standard_version=version)}
    retired = {}
    for change in plan.needing_choice if plan else []:
        if not change.is_duty:
            ksb = current.pop(change.code)
            ksb.retired_at = now
            ksb.save(update_fields=["retired_at"])
            retired[change.code] = ksb
    keep: dict[tuple[str, int], int] = {}
    for item in items:
        ksb = (
            KSB(standard_version=version)
            if _needs_new_row(plan, item["code"])
            else current.pop(item["code"])
        )
        for name, value in item.items():
            setattr(ksb, name, value)
        ksb.full_clean(validate_unique=False, validate_constraints=False)
        ksb.save()
        keep[(item["kind"], item["number"])] = ksb.pk
    return keep, retired


def _ksb_ids_by_code(parsed: ParsedStandard, ksb_ids: dict[tuple[str, int], int]) -> dict[str, int]:
    return {item["code"]: ksb_ids[(item["kind"], item["number"])] for item in parsed.ksbs}


def _write_duties(
    version: StandardVersion, items: list[dict], ksb_ids: dict, plan: ImportPlan | None
) -> tuple[dict[str, int], dict[str, Duty]]:
    """As _write_ksbs, for duties; a retired duty no longer claims KSBs in the map."""
    now = timezone.now()
    current = {d.code: d for d in Duty.objects.current().filter(standard_version=version)}
    retired = {}
    for change in plan.needing_choice if plan else []:
        if change.is_duty:
            duty = current.pop(change.code)
            duty.retired_at = now
            duty.save(update_fields=["retired_at"])
            duty.ksbs.clear()
            retired[change.code] = duty
    ids = {}
    for item in items:
        code = f"{DUTY_PREFIX}{item['number']}"
        previous = current.get(code) or retired.get(code)
        duty = Duty(standard_version=version) if _needs_new_row(plan, code) else current.pop(code)
        values = {k: v for k, v in item.items() if k != "ksbs"}
        if values["otj_weight"] is None and previous and previous.otj_weight is not None:
            # The API never carries the split; keep the one loaded before for this number.
            for name in ("otj_weight", "otj_weight_provenance", "otj_weight_note"):
                values[name] = getattr(previous, name)
        for name, value in values.items():
            setattr(duty, name, value)
        duty.full_clean(validate_unique=False, validate_constraints=False)
        duty.save()
        duty.ksbs.set([ksb_ids[key] for key in item["ksbs"]])
        ids[code] = duty.pk
    return ids, retired


def _relink_methods(retired: dict[str, KSB], by_code: dict[str, int]) -> None:
    """A file without an assessment plan leaves the loaded plan alone, but its methods
    follow each code to the statement that now has it (or drop a code that is gone)."""
    for code, ksb in retired.items():
        for method in AssessmentMethod.objects.filter(ksbs=ksb):
            method.ksbs.remove(ksb)
            if code in by_code:
                method.ksbs.add(by_code[code])


def _settle(
    plan: ImportPlan,
    decisions: dict[str, str],
    by_code: dict[str, int],
    retired: dict[str, KSB],
    retired_duties: dict[str, Duty],
) -> dict[str, str]:
    """Carry out the choice for each retired statement: move its records, or keep them on
    it. A retired statement nothing refers to any more is deleted."""
    outcomes = {}
    for model, rows in ((KSB, retired), (Duty, retired_duties)):
        moves = {
            rows[code].pk: by_code[target]
            for code, target in decisions.items()
            if code in rows and target != KEEP_RETIRED
        }
        try:
            moved = move_references(model, moves)
        except ReferenceMoveError as error:
            code = next(code for code, row in rows.items() if row.pk == error.args[1])
            raise StandardImportError(
                f"The records of {code} cannot move to {decisions[code]}: {error.args[0]}. "
                f"Keep {code} as retired instead."
            ) from None
        left = count_references(model, [row.pk for row in rows.values()])
        for code, row in rows.items():
            target = decisions[code]
            if target == KEEP_RETIRED:
                outcomes[code] = "kept as retired" if row.pk in left else "replaced"
            else:
                counts = moved.get(row.pk, {})
                outcomes[code] = f"moved to {target}" + (
                    f" ({_describe(counts)})" if counts else ""
                )
            if row.pk not in left:
                try:
                    row.delete()
                except ProtectedError:
                    raise StandardImportError(
                        f"Records still refer to {code}, so it cannot be replaced."
                    ) from None
    return outcomes


def _describe(counts: dict[str, int]) -> str:
    return "; ".join(f"{label}: {n}" for label, n in counts.items())


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


__all__ = [
    "ImportNeedsChoice",
    "ImportResult",
    "KEEP_RETIRED",
    "PlanChanged",
    "StatementChange",
    "import_standard",
    "preview_import",
]
