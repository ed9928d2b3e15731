"""The portfolio frozen at gateway, as plain data.

`build` gathers every submitted evidence item (the version last submitted, or the one
accepted if the apprentice has started changing it since), its files by checksum, the
mapping to duties and KSBs, the sign-offs, the off-the-job summary, the signed progress
reviews (never their wellbeing check-ins), the gateway checklist with its
declarations, and the rules in force with their sources. The result is stored once and
never changed: later edits to the live portfolio never reach what the assessor reads.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch

from apprenticeship.models import Apprenticeship
from epa.models import GatewayDeclaration
from epa.selectors.rules import rules_in_force
from portfolio.evidence.models import DutySignOff, Evidence, EvidenceFile
from portfolio.reviews import selectors as review_selectors
from portfolio.supervision.models import SupervisionRecord
from portfolio.training import export as otj_export
from portfolio.training import selectors as otj
from standards.models import KSB, CompetenceFramework, Duty, FrameworkUnit


def _files(files) -> list[dict]:
    return [
        {
            "id": f.pk,
            "name": f.original_name,
            "sha256": f.sha256,
            "size": f.size,
            "content_type": f.content_type,
            "category": f.category,
        }
        for f in files
    ]


def _testimonies(testimonies) -> list[dict]:
    return [
        {
            "author": t.witness,
            "role": t.author_role,
            "witnessed_on": t.witnessed_on,
            "text": t.text,
        }
        for t in testimonies
    ]


def _sign_off(sign_off: DutySignOff | None) -> dict | None:
    if sign_off is None:
        return None
    return {
        "by": sign_off.signed_by.full_name,
        "at": sign_off.signed_at,
        "comment": sign_off.comment,
        "evidence": sorted([v.evidence_id, v.number] for v in sign_off.evidence_versions.all()),
    }


def _item(evidence: Evidence) -> dict | None:
    """The version of one item that the assessor reads, or None for a draft that was
    never accepted."""
    live = evidence.status in (Evidence.Status.SUBMITTED, Evidence.Status.REFERRED)
    # The live Evidence row or its accepted EvidenceVersion: each branch below reads only
    # what its kind has.
    version: Any = evidence if live else evidence.accepted_version
    if version is None:
        return None
    accepted = evidence.accepted_version
    return {
        "id": evidence.pk,
        "version": evidence.version if live else version.number,
        "title": version.title,
        "kind": version.kind,
        "kind_label": evidence.get_kind_display() if live else version.get_kind_label(),
        "activity_date": version.activity_date,
        "account": version.account,
        "state": evidence.status if live else Evidence.Status.ACCEPTED,
        "submitted_at": evidence.submitted_at if live else version.submitted_at,
        "accepted_at": accepted.accepted_at if accepted and not live else None,
        "accepted_by": accepted.accepted_by.full_name if accepted and not live else "",
        "visible_to_employer": evidence.visible_to_employer,
        # A statement a re-import of the standard retired keeps its place, marked.
        "duties": [d.code_label for d in version.duties.all()],
        "ksbs": [k.code_label for k in version.ksbs.all()],
        "files": _files(version.current_files if live else version.files.all()),
        "testimonies": _testimonies(version.testimonies.all()),
        **_supervision(evidence),
    }


def _supervision(evidence: Evidence) -> dict:
    """The supervision record an item relies on, read from the record (never copied into
    the evidence): what was agreed, and the reflection only if the apprentice shared it.
    Nothing for other items, so their shape is unchanged."""
    try:
        record: SupervisionRecord = evidence.supervision_record
    except SupervisionRecord.DoesNotExist:
        return {}
    return {
        "supervision": {
            "kind": record.get_kind_display(),
            "format": record.get_format_display(),
            "held_on": record.held_on,
            "supervisor": record.supervisor_label,
            "agreed": record.agreed,
            "reflection": record.reflection if record.reflection_shared else "",
            "shared_with_employer": record.shared_with_employer,
        }
    }


def _evidence(apprenticeship: Apprenticeship) -> list[dict]:
    version_prefetch = ("duties", "ksbs", "files", "testimonies__author")
    evidence = (
        Evidence.objects.filter(apprenticeship=apprenticeship)
        .exclude(status=Evidence.Status.DRAFT, accepted_version__isnull=True)
        .select_related("accepted_version__accepted_by", "supervision_record__supervisor")
        .prefetch_related(
            "duties",
            "ksbs",
            "testimonies__author",
            Prefetch("files", queryset=EvidenceFile.objects.current(), to_attr="current_files"),
            *(f"accepted_version__{name}" for name in version_prefetch),
        )
        .order_by("activity_date", "pk")
    )
    return [item for item in (_item(e) for e in evidence) if item is not None]


def _frameworks(apprenticeship: Apprenticeship, evidence: list[dict]) -> list[dict]:
    """Each competence framework turned on (such as the NCCMH framework), its units in
    order, and which of the frozen evidence items the apprentice mapped to each unit: a
    few queries however many items."""
    frameworks = list(
        CompetenceFramework.objects.filter(apprenticeships=apprenticeship).order_by("title")
    )
    if not frameworks:
        return []
    ids = [item["id"] for item in evidence]
    mapped: dict[int, list[int]] = {}
    links = Evidence.framework_units.through.objects.filter(evidence_id__in=ids)
    for unit_id, evidence_id in links.values_list("frameworkunit_id", "evidence_id"):
        mapped.setdefault(unit_id, []).append(evidence_id)
    order = {evidence_id: n for n, evidence_id in enumerate(ids)}
    units = FrameworkUnit.objects.filter(section__framework__in=frameworks).select_related(
        "section"
    )
    by_section: dict[int, list[dict]] = {}
    for unit in units.order_by("section__number", "position"):
        by_section.setdefault(unit.section_id, []).append(
            {
                "code": unit.code,
                "title": unit.title,
                "evidence": sorted(mapped.get(unit.pk, []), key=order.__getitem__),
            }
        )
    return [
        {
            "code": f.code,
            "version": f.version,
            "title": f.title,
            "publisher": f.publisher,
            "source": f.source,
            "provenance": f.provenance,
            "provenance_label": f.get_provenance_display(),
            "statements_loaded": f.statements_loaded,
            "statements_note": f.statements_note,
            "sections": [
                {"number": s.number, "title": s.title, "units": by_section.get(s.pk, [])}
                for s in f.sections.order_by("number")
            ],
        }
        for f in frameworks
    ]


def build(*, apprenticeship: Apprenticeship, checklist: list, taken_at: dt.datetime) -> dict:
    """Everything the assessor reads, as JSON-able data (dates and times as values; the
    seal turns them into ISO strings)."""
    standard = apprenticeship.standard_version
    sign_offs = DutySignOff.objects.by_duty(apprenticeship)
    evidence = _evidence(apprenticeship)
    # The standard's current statements, and any retired one this portfolio still names
    # (marked "retired", never needed).
    duties = [
        d
        for d in Duty.objects.filter(standard_version=standard).order_by("number", "pk")
        if not d.is_retired or d.pk in sign_offs
    ]
    named = {code for item in evidence for code in item["ksbs"]}
    ksbs = [
        k
        for k in KSB.objects.filter(standard_version=standard)
        if not k.is_retired or k.code_label in named
    ]
    declarations = (
        GatewayDeclaration.objects.active()
        .filter(apprenticeship=apprenticeship)
        .select_related("declared_by")
    )
    return {
        "format": 1,
        "taken_at": taken_at,
        "apprenticeship": {
            "id": apprenticeship.pk,
            "apprentice": apprenticeship.apprentice.full_name,
            "employer": apprenticeship.employer.name,
            "provider": apprenticeship.provider.name,
            "standard": {
                "reference": standard.reference,
                "title": standard.title,
                "version": standard.version,
                "level": standard.level,
            },
            "start_date": apprenticeship.start_date,
            "planned_end_date": apprenticeship.planned_end_date,
        },
        "duties": [
            {
                "code": duty.code_label,
                "text": duty.text,
                "sign_off": _sign_off(sign_offs.get(duty.pk)),
                **({"retired": True} if duty.is_retired else {}),
            }
            for duty in duties
        ],
        "ksbs": [
            {
                "code": k.code_label,
                "code_provenance": k.code_provenance,
                "kind": k.kind,
                "text": k.text,
                **({"retired": True} if k.is_retired else {}),
            }
            for k in ksbs
        ],
        "evidence": evidence,
        # Frameworks turned on beside the standard, with the evidence mapped to each unit.
        "frameworks": _frameworks(apprenticeship, evidence),
        "otj": otj_export.otj_summary_data(otj.otj_summary(apprenticeship, today=taken_at.date())),
        "reviews": review_selectors.signed_reviews_data(apprenticeship),
        "checklist": [item.as_dict() for item in checklist],
        # The rules in force when the portfolio was frozen, each with its source and label.
        "rules": rules_in_force(apprenticeship).as_data(),
        "declarations": [
            {
                "party": d.party,
                "statement": d.statement,
                "by": d.declared_by.full_name,
                "at": d.declared_at,
                "digest": d.digest,
            }
            for d in declarations
        ],
    }
