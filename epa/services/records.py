"""Read-only views of the end-point assessment: the assessor's record page, the summary
on the apprenticeship page, and the rows of the assessor's and the assessment
organisation's lists. Each is a fixed number of queries however much was recorded."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from epa.models import (
    Appeal,
    AssessmentRound,
    AssessmentSession,
    ConflictDeclaration,
    KsbNote,
    MethodAssessment,
    SessionMode,
)
from epa.services import assessment as services
from epa.services import results
from epa.services.grading import Window, epa_window, failing_grade
from standards.models import KSB, AssessmentMethod, AssessmentPlan, StandardVersion

# -- small helpers ---------------------------------------------------------------------


def plan_of(standard_version: StandardVersion) -> AssessmentPlan | None:
    """The standard's plan, if loaded (no query when select_related)."""
    try:
        return standard_version.assessment_plan
    except AssessmentPlan.DoesNotExist:
        return None


def _completed_on(status: str, confirmed_at: dt.datetime | None) -> dt.date | None:
    if status != Apprenticeship.Status.COMPLETED or confirmed_at is None:
        return None
    return timezone.localdate(confirmed_at)


def describe_state(
    *,
    status: str,
    assessors: int,
    declared: int,
    round_kind: str | None,
    round_confirmed: bool,
    overall: str,
    graded: int,
    methods: int,
    failing: str | None,
) -> str:
    """Where the end-point assessment is, in a few plain words."""
    if status == Apprenticeship.Status.COMPLETED:
        return f"Completed: {overall}" if overall else "Completed"
    if round_kind is None:
        if not assessors:
            return "Waiting for an assessor"
        if not declared:
            return "Assessor assigned, waiting for their declaration of no conflict of interest"
        return "Assessor assigned, not started"
    label = AssessmentRound.Kind(round_kind).label
    if round_confirmed:
        if overall == failing:
            return f"{label}: {overall}. A resit or retake can be started."
        return f"{label}: {overall}"
    if not assessors:
        return f"{label} in progress, waiting for an assessor"
    if methods and graded == methods:
        return f"{label}: every method graded, waiting for the assessor to confirm the result"
    return f"{label}: {graded} of {methods} method{'s' if methods != 1 else ''} graded"


def plan_facts(plan: AssessmentPlan) -> dict[str, dict[str, str]]:
    """The plan's per-fact provenance, for the facts the assessor relies on."""
    return {
        "grade_table": plan.fact("gradeTable"),
        "window": plan.fact("epaWindowMonths"),
        "cap": plan.fact("resitGradeCap"),
        "method_ksbs": plan.fact("methodKsbs"),
    }


# -- the assessor's record page --------------------------------------------------------


@dataclass
class SessionSlot:
    number: int
    session: AssessmentSession | None
    video_allowed: bool

    @property
    def questions(self) -> list:
        return list(self.session.questions.all()) if self.session else []


@dataclass
class MethodRecord:
    method: AssessmentMethod
    assessment: MethodAssessment | None = None  # None: carried over from an earlier round
    carried: results.MethodGrade | None = None
    slots: list[SessionSlot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    question_count: int = 0
    recorded_minutes: int = 0
    themes: list[tuple[str, int]] = field(default_factory=list)
    ksb_notes: list[tuple[KSB, KsbNote | None]] = field(default_factory=list)

    @property
    def recorded_duration(self) -> str:
        hours, minutes = divmod(self.recorded_minutes, 60)
        parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
        if minutes or not parts:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
        return " ".join(parts)


@dataclass
class RoundRecord:
    round: AssessmentRound
    methods: list[MethodRecord]
    result: results.RoundResult
    appeals: list[Appeal]
    # The method grades as confirmed: (method, grade, the attempt the grade comes from).
    confirmed_grades: list[tuple[AssessmentMethod, str, int]] = field(default_factory=list)

    @property
    def open_appeal(self) -> Appeal | None:
        return next((a for a in self.appeals if a.is_open), None)


@dataclass
class AssessmentRecord:
    apprenticeship: Apprenticeship
    plan: AssessmentPlan | None
    methods: list[AssessmentMethod]
    facts: dict
    window: Window | None
    rounds: list[RoundRecord]
    assessors: list[Membership]
    declarations: dict[int, ConflictDeclaration]
    viewer_problems: list[str]
    viewer_is_assessor: bool
    failing: str = ""

    @property
    def assessor_rows(self) -> list[tuple[Membership, ConflictDeclaration | None]]:
        return [(m, self.declarations.get(m.user_id)) for m in self.assessors]

    @property
    def viewer_needs_declaration(self) -> bool:
        """The viewer's only obstacle to recording is the missing declaration."""
        return self.viewer_is_assessor and self.viewer_problems == [services.DECLARE_FIRST]

    @property
    def current(self) -> RoundRecord | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def can_record(self) -> bool:
        return self.viewer_is_assessor and not self.viewer_problems and self.plan is not None

    @property
    def can_start_round(self) -> bool:
        current = self.current
        return (
            current is not None
            and current.round.is_confirmed
            and current.round.overall_grade == self.failing
            and current.open_appeal is None
            and any(v["grade"] == self.failing for v in current.round.grades.values())
        )

    @property
    def can_confirm(self) -> bool:
        current = self.current
        return current is not None and not current.round.is_confirmed and current.result.complete


def _method_record(
    method: AssessmentMethod, assessment: MethodAssessment | None, carried
) -> MethodRecord:
    record = MethodRecord(method=method, assessment=assessment, carried=carried)
    if assessment is None:
        return record
    sessions = {s.number: s for s in assessment.sessions.all()}
    record.slots = [
        SessionSlot(n, sessions.get(n), SessionMode.VIDEO in services.allowed_modes(method, n))
        for n in range(1, method.sessions + 1)
    ]
    questions = [q for s in sessions.values() for q in s.questions.all()]
    record.question_count = len(questions)
    record.recorded_minutes = sum(s.duration_minutes for s in sessions.values())
    record.themes = [(t, sum(q.theme == t for q in questions)) for t in method.themes]
    notes = {n.ksb_id: n for n in assessment.ksb_notes.all()}
    record.ksb_notes = [(ksb, notes.pop(ksb.pk, None)) for ksb in method.ksbs.all()]
    # Notes on a statement a re-import of the standard retired stay on the record.
    record.ksb_notes += [(note.ksb, note) for note in notes.values()]
    if not assessment.is_graded:
        record.problems = services.grading_problems(assessment)
    return record


def assessment_record(
    apprenticeship: Apprenticeship, viewer: User, *, today: dt.date | None = None
) -> AssessmentRecord:
    """Everything the assessment page shows: the plan's facts with their provenance, the
    window, each round with its methods, sessions, questions, notes, grades and result,
    the assessors and their declarations, and what stops the viewer recording."""
    plan = (
        AssessmentPlan.objects.filter(standard_version_id=apprenticeship.standard_version_id)
        .prefetch_related(
            Prefetch(
                "methods",
                queryset=AssessmentMethod.objects.order_by("order").prefetch_related("ksbs"),
            )
        )
        .first()
    )
    methods = list(plan.methods.all()) if plan else []
    by_id = {m.pk: m for m in methods}
    rounds = list(
        AssessmentRound.objects.for_record()
        .filter(apprenticeship_id=apprenticeship.pk)
        .order_by("number")
    )
    round_records = []
    previous = None
    for round_ in rounds:
        assessments = list(round_.method_assessments.all())
        for a in assessments:
            # Use the plan's prefetched method (with its KSBs) for every check.
            a.method = by_id.get(a.method_id, a.method)
        result = (
            results.round_result(round_, plan, methods, assessments, previous)
            if plan
            else results.RoundResult(grades=[])
        )
        own = {a.method_id: a for a in assessments}
        carried = {g.method.pk: g for g in result.grades if g.carried_over}
        round_records.append(
            RoundRecord(
                round=round_,
                methods=[
                    _method_record(m, own.get(m.pk), carried.get(m.pk))
                    for m in methods
                    if m.pk in own or m.pk in carried
                ],
                result=result,
                appeals=list(round_.appeals.all()),
                confirmed_grades=[
                    (m, round_.grades[m.code]["grade"], round_.grades[m.code]["round"])
                    for m in methods
                    if m.code in round_.grades
                ],
            )
        )
        previous = round_
    assessors = list(
        Membership.objects.filter(
            apprenticeship_id=apprenticeship.pk, role=Role.ASSESSOR, is_active=True
        ).select_related("user")
    )
    declarations = {
        d.assessor_id: d
        for d in ConflictDeclaration.objects.filter(apprenticeship_id=apprenticeship.pk)
    }
    viewer_is_assessor = any(m.user_id == viewer.pk for m in assessors)
    latest = rounds[-1] if rounds else None
    return AssessmentRecord(
        apprenticeship=apprenticeship,
        plan=plan,
        methods=methods,
        facts=plan_facts(plan) if plan else {},
        window=epa_window(
            gateway_passed_at=apprenticeship.gateway_passed_at,
            months=plan.epa_window_months if plan else None,
            completed_on=_completed_on(
                apprenticeship.status, latest.confirmed_at if latest else None
            ),
            today=today,
        ),
        rounds=round_records,
        assessors=assessors,
        declarations=declarations,
        viewer_problems=(
            services.recording_problems(apprenticeship, viewer) if viewer_is_assessor else []
        ),
        viewer_is_assessor=viewer_is_assessor,
        failing=failing_grade(plan) if plan else "",
    )


# -- the apprenticeship page -----------------------------------------------------------


@dataclass
class AssessmentSummary:
    state: str
    assessors: list[User]
    window: Window | None
    window_fact: dict
    results: list[AssessmentRound]
    plan_loaded: bool


def assessment_summary(
    apprenticeship: Apprenticeship, *, today: dt.date | None = None
) -> AssessmentSummary | None:
    """The end-point assessment part of the apprenticeship page: nothing before gateway,
    then the assessor, the window, where it has got to and every confirmed result. No
    notes or method grades: those stay on the assessor's record."""
    if not apprenticeship.is_post_gateway:
        return None
    plan = AssessmentPlan.objects.filter(
        standard_version_id=apprenticeship.standard_version_id
    ).first()
    rounds = list(
        AssessmentRound.objects.filter(apprenticeship_id=apprenticeship.pk)
        .annotate(
            methods=Count("method_assessments"),
            graded=Count("method_assessments", filter=~Q(method_assessments__grade="")),
        )
        .order_by("number")
    )
    assessors = [
        m.user
        for m in Membership.objects.filter(
            apprenticeship_id=apprenticeship.pk, role=Role.ASSESSOR, is_active=True
        ).select_related("user")
    ]
    declared = ConflictDeclaration.objects.filter(
        apprenticeship_id=apprenticeship.pk, assessor__in=assessors
    ).count()
    latest = rounds[-1] if rounds else None
    return AssessmentSummary(
        state=describe_state(
            status=apprenticeship.status,
            assessors=len(assessors),
            declared=declared,
            round_kind=latest.kind if latest else None,
            round_confirmed=bool(latest and latest.is_confirmed),
            overall=latest.overall_grade if latest else "",
            graded=latest.graded if latest else 0,
            methods=latest.methods if latest else 0,
            failing=failing_grade(plan) if plan else None,
        ),
        assessors=assessors,
        window=epa_window(
            gateway_passed_at=apprenticeship.gateway_passed_at,
            months=plan.epa_window_months if plan else None,
            completed_on=_completed_on(
                apprenticeship.status, latest.confirmed_at if latest else None
            ),
            today=today,
        ),
        window_fact=plan.fact("epaWindowMonths") if plan else {},
        results=[r for r in rounds if r.is_confirmed],
        plan_loaded=plan is not None,
    )


def results_data(apprenticeship: Apprenticeship) -> list[dict]:
    """Every confirmed result, as plain data for the PDF report: the grade of each method
    (by the plan's method names), the overall grade the table gave, whether the resit
    cap lowered it, the grade confirmed and the grade now (after any appeal). No notes."""
    names = dict(
        AssessmentMethod.objects.filter(
            plan__standard_version_id=apprenticeship.standard_version_id
        ).values_list("code", "name")
    )
    rounds = (
        AssessmentRound.objects.filter(apprenticeship=apprenticeship, confirmed_at__isnull=False)
        .select_related("confirmed_by")
        .order_by("number")
    )
    return [
        {
            "number": r.number,
            "kind": r.get_kind_display(),
            "methods": [
                {"code": code, "name": names.get(code, code), "grade": grade["grade"]}
                for code, grade in sorted(r.grades.items())
            ],
            "table_grade": r.table_grade,
            "cap_applied": r.cap_applied,
            "exceptional_circumstances": r.has_exceptional_circumstances,
            "confirmed_grade": r.confirmed_grade,
            "overall_grade": r.overall_grade,
            "confirmed_at": r.confirmed_at,
            "confirmed_by": r.confirmed_by.full_name if r.confirmed_by else "",
        }
        for r in rounds
    ]


# -- the assessor's and the assessment organisation's lists ----------------------------


def _count(queryset: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def annotate_epa_list(apprenticeships: QuerySet[Apprenticeship]) -> QuerySet[Apprenticeship]:
    """The end-point assessment columns as annotations: the latest round, how many of its
    methods are graded, and how many assigned assessors have declared no conflict.
    Sorted with the window that ends soonest first and completed apprentices last."""
    rounds = AssessmentRound.objects.filter(apprenticeship=OuterRef("pk")).order_by("-number")
    still_assigned = Membership.objects.filter(
        apprenticeship=OuterRef(OuterRef("pk")),
        user=OuterRef("assessor"),
        role=Role.ASSESSOR,
        is_active=True,
    )
    declared = ConflictDeclaration.objects.filter(apprenticeship=OuterRef("pk")).filter(
        Exists(still_assigned)
    )
    return (
        apprenticeships.select_related("standard_version__assessment_plan")
        .annotate(
            epa_round_id=Subquery(rounds.values("pk")[:1]),
            epa_round_kind=Subquery(rounds.values("kind")[:1]),
            epa_confirmed_at=Subquery(rounds.values("confirmed_at")[:1]),
            epa_overall=Subquery(rounds.values("overall_grade")[:1]),
            epa_declared=_count(declared, "apprenticeship"),
            epa_done=Case(
                When(status=Apprenticeship.Status.COMPLETED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            epa_methods=_count(
                MethodAssessment.objects.filter(round_id=OuterRef("epa_round_id")), "round"
            ),
            epa_graded=_count(
                MethodAssessment.objects.filter(round_id=OuterRef("epa_round_id")).exclude(
                    grade=""
                ),
                "round",
            ),
        )
        .order_by(
            "epa_done", F("gateway_passed_at").asc(nulls_last=True), "apprentice__full_name", "pk"
        )
    )


@dataclass
class EpaRow:
    apprenticeship: Apprenticeship
    state: str
    window: Window | None


def epa_rows(apprenticeships, *, today: dt.date | None = None) -> list[EpaRow]:
    """Rows for a page of `annotate_epa_list()` (and `with_people()`): no queries."""
    rows = []
    for a in apprenticeships:
        plan = plan_of(a.standard_version)
        rows.append(
            EpaRow(
                apprenticeship=a,
                state=describe_state(
                    status=a.status,
                    assessors=len(a.assessors),
                    declared=a.epa_declared,
                    round_kind=a.epa_round_kind,
                    round_confirmed=a.epa_confirmed_at is not None,
                    overall=a.epa_overall or "",
                    graded=a.epa_graded,
                    methods=a.epa_methods,
                    failing=failing_grade(plan) if plan else None,
                ),
                window=epa_window(
                    gateway_passed_at=a.gateway_passed_at,
                    months=plan.epa_window_months if plan else None,
                    completed_on=_completed_on(a.status, a.epa_confirmed_at),
                    today=today,
                ),
            )
        )
    return rows
