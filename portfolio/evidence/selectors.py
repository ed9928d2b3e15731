"""Reads about evidence: what it covers (the duty and KSB matrix, the apprenticeship page
summary and the caseload columns), what is missing before it can be submitted, what could
identify someone, and which accepted versions a sign-off may rely on. Nothing here writes,
and each is a fixed number of queries however much evidence there is."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from config.db import count_of
from portfolio.evidence import identifiers
from portfolio.evidence.access import visible_evidence
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceFile,
    EvidenceKind,
    EvidenceVersion,
    ProtectedName,
)
from standards.models import KSB, Duty


class State:
    NONE = "none"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    SIGNED_OFF = "signed_off"

    LABELS = {
        NONE: "No evidence yet",
        DRAFT: "Draft only",
        SUBMITTED: "Submitted",
        ACCEPTED: "Accepted",
        SIGNED_OFF: "Signed off",
    }
    RANK = {NONE: 0, DRAFT: 0, SUBMITTED: 1, ACCEPTED: 2, SIGNED_OFF: 3}


@dataclass
class Row:
    code: str
    text: str
    state: str
    cells: list[str]
    duty: Duty | None = None
    sign_off: DutySignOff | None = None
    provenance: str = ""
    # On the coverage page (coverage_rows): the items behind the row, and the evidence
    # list's filter that shows them.
    counts: "RowCounts | None" = None
    filter: str = ""

    @property
    def state_label(self) -> str:
        return State.LABELS[self.state]


@dataclass
class Coverage:
    evidence: list[Evidence]
    duties: list[Row]
    ksb_groups: list[tuple[str, list[Row]]]
    has_duty_ksb_map: bool
    missing: list[Row] = field(default_factory=list)
    # Retired statements this portfolio still refers to: shown, never needed.
    retired: list[Row] = field(default_factory=list)

    @property
    def signed_off_count(self) -> int:
        return sum(row.state == State.SIGNED_OFF for row in self.duties)


def _row_state(cells: list[str]) -> str:
    best = max((State.RANK[c] for c in cells if c), default=0)
    return {1: State.SUBMITTED, 2: State.ACCEPTED}.get(best, State.NONE)


def coverage(apprenticeship: Apprenticeship) -> Coverage:
    """The matrix of duties and KSBs against the evidence the viewer may see, each cell
    coloured by that item's state, and what is still missing."""
    standard = apprenticeship.standard_version
    duties = list(Duty.objects.filter(standard_version=standard).prefetch_related("ksbs"))
    ksbs = list(KSB.objects.filter(standard_version=standard))
    evidence = list(
        visible_evidence(apprenticeship)
        .prefetch_related("duties", "ksbs")
        .order_by("activity_date", "pk")
    )
    accepted_ids = [e.accepted_version_id for e in evidence if e.accepted_version_id]
    # By accepted version id. Evidence never accepted looks up None, which finds nothing.
    accepted_duties: dict[int | None, set[int]] = defaultdict(set)
    accepted_ksbs: dict[int | None, set[int]] = defaultdict(set)
    for version_id, duty_id in EvidenceVersion.duties.through.objects.filter(
        evidenceversion_id__in=accepted_ids
    ).values_list("evidenceversion_id", "duty_id"):
        accepted_duties[version_id].add(duty_id)
    for version_id, ksb_id in EvidenceVersion.ksbs.through.objects.filter(
        evidenceversion_id__in=accepted_ids
    ).values_list("evidenceversion_id", "ksb_id"):
        accepted_ksbs[version_id].add(ksb_id)
    sign_offs = DutySignOff.objects.by_duty(apprenticeship)
    # Evidence ids each duty's sign-off relies on.
    relied_on = {
        duty_id: {v.evidence_id for v in s.evidence_versions.all()}
        for duty_id, s in sign_offs.items()
    }
    # A statement retired by a re-import of the standard is shown only where this
    # portfolio still refers to it, and is not needed.
    referred_duties = set(sign_offs).union(
        *(accepted_duties.values()), *({d.pk for d in e.duties.all()} for e in evidence)
    )
    referred_ksbs = set().union(
        *(accepted_ksbs.values()), *({k.pk for k in e.ksbs.all()} for e in evidence)
    )
    retired_duties = [d for d in duties if d.is_retired and d.pk in referred_duties]
    retired_ksbs = [k for k in ksbs if k.is_retired and k.pk in referred_ksbs]
    duties = [d for d in duties if not d.is_retired]
    ksbs = [k for k in ksbs if not k.is_retired]
    duties_of_ksb: dict[int, set[int]] = defaultdict(set)
    for duty in duties:
        for ksb in duty.ksbs.all():
            duties_of_ksb[ksb.pk].add(duty.pk)
    shows_drafts = Role.APPRENTICE in apprenticeship.viewer_roles

    def cell(item: Evidence, live: set[int], accepted: set[int], signed_duties: set[int]) -> str:
        if item.pk in set().union(*(relied_on.get(d, set()) for d in signed_duties)):
            return State.SIGNED_OFF
        if item.accepted_version_id and accepted:
            return State.ACCEPTED
        if item.status == Evidence.Status.SUBMITTED and live:
            return State.SUBMITTED
        if shows_drafts and live and item.status != Evidence.Status.ACCEPTED:
            return State.DRAFT
        return ""

    def duty_row(duty: Duty) -> Row:
        cells = [
            cell(
                item,
                {d.pk for d in item.duties.all()} & {duty.pk},
                accepted_duties.get(item.accepted_version_id, set()) & {duty.pk},
                {duty.pk} if duty.pk in sign_offs else set(),
            )
            for item in evidence
        ]
        state = State.SIGNED_OFF if duty.pk in sign_offs else _row_state(cells)
        return Row(
            code=duty.code_label,
            text=duty.text,
            state=state,
            cells=cells,
            duty=duty,
            sign_off=sign_offs.get(duty.pk),
        )

    def ksb_row(ksb: KSB) -> Row:
        signed = duties_of_ksb[ksb.pk] & set(sign_offs)
        cells = [
            cell(
                item,
                {k.pk for k in item.ksbs.all()} & {ksb.pk},
                accepted_ksbs.get(item.accepted_version_id, set()) & {ksb.pk},
                signed,
            )
            for item in evidence
        ]
        return Row(
            code=ksb.code_label,
            text=ksb.text,
            state=State.SIGNED_OFF if signed else _row_state(cells),
            cells=cells,
            provenance=ksb.code_provenance,
        )

    duty_rows = [duty_row(duty) for duty in duties]
    groups = [
        (label, [ksb_row(ksb) for ksb in ksbs if ksb.kind == kind])
        for kind, label in KSB.Kind.choices
    ]
    result = Coverage(
        evidence=evidence,
        duties=duty_rows,
        ksb_groups=groups,
        has_duty_ksb_map=bool(duties_of_ksb),
        retired=[duty_row(d) for d in retired_duties] + [ksb_row(k) for k in retired_ksbs],
    )
    result.missing = [row for row in duty_rows if row.state == State.NONE] + [
        row for _label, rows in groups for row in rows if row.state == State.NONE
    ]
    return result


@dataclass
class EvidenceSummary:
    counts: dict[str, int]
    duties_signed_off: int
    duties_total: int


def evidence_summary(apprenticeship: Apprenticeship) -> EvidenceSummary:
    """Counts for the apprenticeship page, over the evidence the viewer may see."""
    counts = visible_evidence(apprenticeship).aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in Evidence.Status},
    )
    return EvidenceSummary(
        counts=counts,
        duties_signed_off=DutySignOff.objects.active()
        .filter(apprenticeship=apprenticeship, duty__retired_at__isnull=True)
        .count(),
        duties_total=Duty.objects.current()
        .filter(standard_version_id=apprenticeship.standard_version_id)
        .count(),
    )


def annotate_duties(apprenticeships: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """How many of the standard's current duties each apprenticeship has signed off, and
    how many there are, as annotations."""
    return apprenticeships.annotate(
        duties_signed_off=count_of(
            DutySignOff.objects.active().filter(
                apprenticeship=OuterRef("pk"), duty__retired_at__isnull=True
            )
        ),
        duties_total=count_of(
            Duty.objects.current().filter(standard_version=OuterRef("standard_version"))
        ),
    )


def annotate_caseload(apprenticeships: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """Evidence columns of the tutor's caseload, as annotations: duties signed off, items
    waiting for review and when the oldest was submitted (from `EvidenceStanding`, one row
    for each apprenticeship). Sorted by who needs attention: the longest wait first."""
    return (
        annotate_duties(apprenticeships)
        .annotate(
            evidence_waiting=Coalesce(F("evidence_standing__waiting"), 0),
            oldest_waiting=F("evidence_standing__oldest_waiting"),
        )
        .order_by(F("oldest_waiting").asc(nulls_last=True), "apprentice__full_name", "pk")
    )


def identifier_findings(
    *, evidence: Evidence, today: dt.date | None = None
) -> list[identifiers.Finding]:
    """Things in the evidence's text and documents that could identify someone, with the
    apprentice's private names. The check only warns."""
    names = list(
        ProtectedName.objects.filter(apprenticeship_id=evidence.apprenticeship_id).values_list(
            "name", flat=True
        )
    )
    findings = []
    for where, text in (("Title", evidence.title), ("Written account", evidence.account)):
        findings += identifiers.find_identifiers(text, where=where, names=names, today=today)
    for file in EvidenceFile.objects.current().filter(evidence=evidence):
        findings += identifiers.find_identifiers(
            file.extracted_text, where=file.original_name, names=names, today=today
        )
    return findings


def missing_for_submission(evidence: Evidence, *, today: dt.date | None = None) -> list[str]:
    """What must be filled in before the evidence can be submitted, in plain words."""
    today = today or timezone.localdate()
    missing = []
    if not evidence.title.strip():
        missing.append("Give it a title.")
    if evidence.activity_date is None:
        missing.append("Add the date of the activity.")
    elif evidence.activity_date > today:
        missing.append("The date of the activity can't be in the future.")
    if not evidence.duties.exists() and not evidence.ksbs.exists():
        missing.append("Choose at least one duty or KSB that it shows.")
    if (
        not evidence.account.strip()
        and not EvidenceFile.objects.current().filter(evidence=evidence).exists()
        and not evidence.testimonies.exists()
        # Evidence started from a supervision record shows the record's notes.
        and not Evidence.objects.filter(pk=evidence.pk, supervision_record__isnull=False).exists()
    ):
        missing.append("Write an account, add a file or attach a witness testimony.")
    if evidence.kind == EvidenceKind.WITNESS_TESTIMONY and not evidence.testimonies.exists():
        missing.append("Attach the witness testimony: the witness writes it, not you.")
    return missing


def sign_off_choices(apprenticeship: Apprenticeship, duty: Duty):
    """The accepted versions a tutor may rely on for a duty: the current accepted version
    of each item of this apprenticeship that maps the duty, the most recently accepted
    first."""
    return EvidenceVersion.objects.filter(
        evidence__apprenticeship=apprenticeship,
        duties=duty,
        evidence__accepted_version=F("pk"),
    ).order_by("-accepted_at", "-pk")


@dataclass
class RowCounts:
    """How many of the viewer's items map to one duty or KSB now, by status."""

    submitted: int = 0
    accepted: int = 0
    referred: int = 0
    draft: int = 0

    @property
    def total(self) -> int:
        return self.submitted + self.accepted + self.referred + self.draft


def coverage_rows(apprenticeship: Apprenticeship) -> Coverage:
    """The coverage page's matrix, one row per duty and KSB with its state and counts,
    aggregated in the database: a fixed number of queries and rows however many items the
    portfolio holds (the items themselves are a click away, paged, on the evidence list).
    Each row's state is the one `coverage` works out from the item-by-item cells."""
    standard = apprenticeship.standard_version
    duties = list(Duty.objects.filter(standard_version=standard).prefetch_related("ksbs"))
    ksbs = list(KSB.objects.filter(standard_version=standard))
    live: dict[tuple[str, int], RowCounts] = defaultdict(RowCounts)
    for kind, relation in (("duty", "duties"), ("ksb", "ksbs")):
        # Driven from this apprenticeship's evidence and joined to the link table by its
        # (evidence, duty or KSB) index: the link table holds every provider's items, and
        # asking it for `evidence_id IN (...)` had PostgreSQL read all of it.
        rows = (
            visible_evidence(apprenticeship)
            .filter(**{f"{relation}__isnull": False})
            .order_by()
            .values_list(relation, "status")
            .annotate(n=Count("*"))
        )
        for pk, status, n in rows:
            setattr(live[(kind, pk)], status, n)
    accepted_versions = (
        visible_evidence(apprenticeship)
        .filter(accepted_version__isnull=False)
        .order_by()
        .values("accepted_version_id")
    )
    accepted_duties = set(
        EvidenceVersion.duties.through.objects.filter(evidenceversion_id__in=accepted_versions)
        .values_list("duty_id", flat=True)
        .distinct()
    )
    accepted_ksbs = set(
        EvidenceVersion.ksbs.through.objects.filter(evidenceversion_id__in=accepted_versions)
        .values_list("ksb_id", flat=True)
        .distinct()
    )
    sign_offs = DutySignOff.objects.by_duty(apprenticeship)
    referred_duties = set(sign_offs) | accepted_duties | {pk for k, pk in live if k == "duty"}
    referred_ksbs = accepted_ksbs | {pk for k, pk in live if k == "ksb"}
    duties_of_ksb: dict[int, set[int]] = defaultdict(set)
    for duty in duties:
        if not duty.is_retired:
            for ksb in duty.ksbs.all():
                duties_of_ksb[ksb.pk].add(duty.pk)

    def state(accepted: bool, counts: RowCounts, signed: bool) -> str:
        if signed:
            return State.SIGNED_OFF
        if accepted:
            return State.ACCEPTED
        return State.SUBMITTED if counts.submitted else State.NONE

    def duty_row(duty: Duty) -> Row:
        counts = live[("duty", duty.pk)]
        return Row(
            code=duty.code_label,
            text=duty.text,
            state=state(duty.pk in accepted_duties, counts, duty.pk in sign_offs),
            cells=[],
            duty=duty,
            sign_off=sign_offs.get(duty.pk),
            counts=counts,
            filter=f"duty={duty.pk}",
        )

    def ksb_row(ksb: KSB) -> Row:
        counts = live[("ksb", ksb.pk)]
        signed = bool(duties_of_ksb[ksb.pk] & set(sign_offs))
        return Row(
            code=ksb.code_label,
            text=ksb.text,
            state=state(ksb.pk in accepted_ksbs, counts, signed),
            cells=[],
            provenance=ksb.code_provenance,
            counts=counts,
            filter=f"ksb={ksb.pk}",
        )

    current_duties = [d for d in duties if not d.is_retired]
    duty_rows = [duty_row(d) for d in current_duties]
    groups = [
        (label, [ksb_row(k) for k in ksbs if k.kind == kind and not k.is_retired])
        for kind, label in KSB.Kind.choices
    ]
    result = Coverage(
        evidence=[],
        duties=duty_rows,
        ksb_groups=groups,
        has_duty_ksb_map=bool(duties_of_ksb),
        retired=[duty_row(d) for d in duties if d.is_retired and d.pk in referred_duties]
        + [ksb_row(k) for k in ksbs if k.is_retired and k.pk in referred_ksbs],
    )
    result.missing = [row for row in duty_rows if row.state == State.NONE] + [
        row for _label, rows in groups for row in rows if row.state == State.NONE
    ]
    return result
