"""What importing a file again for a version already loaded would change, worked out
before anything is written.

A KSB is known by its code (K3) and a duty by its number (D3), never by its place in the
file alone; the statement's text is part of what records made against it mean. So each
code in the file is compared with the current statement of that code:

- added: no current statement has the code (for example the official knowledge list
  arriving where none was loaded). Nothing refers to it yet; it is applied at once.
- unchanged: the same text (other details, such as the source, are updated in place).
- changed: the code's text differs. A reordered list shows as changed codes.
- removed: the file no longer has the code.

Changed and removed statements need a choice for the records that refer to them
(services/imports.py): keep them on the old statement, which is then retired, or move
them to a code in the file.
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from standards.models import KSB, Duty, StandardVersion
from standards.parsing import ParsedStandard
from standards.services.references import count_references

ADDED, UNCHANGED, CHANGED, REMOVED = "added", "unchanged", "changed", "removed"
# What may be chosen for a changed or removed statement besides a code to move to.
KEEP_RETIRED = "retire"
DUTY_PREFIX = "D"


def same_words(a: str, b: str) -> bool:
    """Texts that differ only in spacing are the same statement."""
    return " ".join(a.split()) == " ".join(b.split())


@dataclass
class StatementChange:
    code: str
    kind: str  # a KSB kind, or "duty"
    status: str
    old_text: str = ""
    new_text: str = ""
    # What refers to the current statement: {label: count}. Only for changed and removed.
    references: dict[str, int] = field(default_factory=dict)
    # A code in the file with exactly the old text (where a reordered statement went).
    same_text_in: str = ""
    old_pk: int | None = None

    @property
    def is_duty(self) -> bool:
        return self.kind == "duty"

    @property
    def needs_choice(self) -> bool:
        return self.status in (CHANGED, REMOVED)

    @property
    def reference_total(self) -> int:
        return sum(self.references.values())

    @property
    def references_text(self) -> str:
        """ "evidence items: 2; sign-offs: 1", or "nothing"."""
        return "; ".join(f"{label}: {n}" for label, n in self.references.items()) or "nothing"


@dataclass
class MapChange:
    duty: str
    added: list[str]
    removed: list[str]


@dataclass
class ImportPlan:
    standard_version: StandardVersion
    statements: list[StatementChange]
    map_changes: list[MapChange]

    def with_status(self, status: str) -> list[StatementChange]:
        return [s for s in self.statements if s.status == status]

    @property
    def added(self) -> list[StatementChange]:
        return self.with_status(ADDED)

    @property
    def changed(self) -> list[StatementChange]:
        return self.with_status(CHANGED)

    @property
    def removed(self) -> list[StatementChange]:
        return self.with_status(REMOVED)

    @property
    def needing_choice(self) -> list[StatementChange]:
        return [s for s in self.statements if s.needs_choice]

    @property
    def needs_choice(self) -> bool:
        return bool(self.needing_choice)

    def targets(self, *, duty: bool) -> list[StatementChange]:
        """Codes in the file that records may be moved to: duties for a duty, KSBs for a KSB."""
        return [s for s in self.statements if s.status != REMOVED and s.is_duty == duty]

    @property
    def fingerprint(self) -> str:
        """Changes the moment the statements in the file or in the database do, so a choice
        made on one plan is never applied to another."""
        essence = [
            [s.code, s.status, s.old_text, s.new_text]
            for s in self.statements
            if s.status != UNCHANGED
        ]
        return hashlib.sha256(json.dumps(essence).encode()).hexdigest()[:20]


def plan_import(version: StandardVersion, parsed: ParsedStandard) -> ImportPlan:
    """Compare the file's statements with the version's current ones. Writes nothing."""
    current_ksbs = {k.code: k for k in KSB.objects.current().filter(standard_version=version)}
    current_duties = {
        d.code: d
        for d in Duty.objects.current().filter(standard_version=version).prefetch_related("ksbs")
    }
    file_ksbs = {item["code"]: item for item in parsed.ksbs}
    file_duties = {f"{DUTY_PREFIX}{item['number']}": item for item in parsed.duties}
    statements = _compare(current_ksbs, file_ksbs, kind_of=lambda item: item["kind"])
    statements += _compare(current_duties, file_duties, kind_of=lambda item: "duty")
    order = {"duty": 0, **{kind: n for n, kind in enumerate(KSB.Kind.values, start=1)}}
    statements.sort(key=lambda s: (order[s.kind], int(s.code[1:])))
    for model, duty in ((KSB, False), (Duty, True)):
        pending = {s.old_pk: s for s in statements if s.needs_choice and s.is_duty == duty}
        for pk, counts in count_references(model, pending).items():
            pending[pk].references = counts
    return ImportPlan(version, statements, _map_changes(current_duties, parsed))


def _compare(current: dict[str, Any], in_file: dict[str, dict], *, kind_of) -> list:
    changes = []
    for code, item in in_file.items():
        old = current.get(code)
        if old is None:
            changes.append(StatementChange(code, kind_of(item), ADDED, new_text=item["text"]))
            continue
        status = UNCHANGED if same_words(old.text, item["text"]) else CHANGED
        changes.append(
            StatementChange(code, kind_of(item), status, old.text, item["text"], old_pk=old.pk)
        )
    for code, old in current.items():
        if code not in in_file:
            kind = old.kind if isinstance(old, KSB) else "duty"
            changes.append(StatementChange(code, kind, REMOVED, old.text, old_pk=old.pk))
    for change in changes:
        if change.needs_choice:
            change.same_text_in = next(
                (code for code, new in in_file.items() if same_words(new["text"], change.old_text)),
                "",
            )
    return changes


def _map_changes(current_duties: dict[str, Duty], parsed: ParsedStandard) -> list[MapChange]:
    """Which KSB codes each duty gains or loses in the duty-to-KSB map. Nothing refers to
    the map itself, so these apply without a question; they are shown and recorded."""
    prefix = {KSB.Kind.KNOWLEDGE: "K", KSB.Kind.SKILL: "S", KSB.Kind.BEHAVIOUR: "B"}
    changes = []
    for item in parsed.duties:
        code = f"{DUTY_PREFIX}{item['number']}"
        new = {f"{prefix[kind]}{number}" for kind, number in item["ksbs"]}
        old_duty = current_duties.get(code)
        old = {k.code for k in old_duty.ksbs.all()} if old_duty else set()
        if new != old:
            changes.append(MapChange(code, sorted(new - old), sorted(old - new)))
    return changes
