"""The assessor's record page: the plan's facts with their provenance, the window, each
round with its methods, sessions, questions, notes, grades and result, the assessors and
their declarations, and what stops the viewer recording. A fixed number of queries however
much was recorded."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, Role
from epa.grading import (
    MethodGrade,
    RoundResult,
    Window,
    assessment_window,
    failing_grade,
    round_result,
)
from epa.models import (
    Appeal,
    AssessmentRound,
    AssessmentSession,
    ConflictDeclaration,
    KsbNote,
    MethodAssessment,
    SessionMode,
)
from epa.selectors.assessment import (
    DECLARE_FIRST,
    allowed_modes,
    grading_problems,
    grading_warnings,
    plan_facts,
    recording_problems,
)
from standards.models import KSB, AssessmentMethod, AssessmentPlan


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
    carried: MethodGrade | None = None
    slots: list[SessionSlot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
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
    result: RoundResult
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
        return self.viewer_is_assessor and self.viewer_problems == [DECLARE_FIRST]

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
            and current.round.is_released
            and current.round.overall_grade == self.failing
            and current.open_appeal is None
            and any(v["grade"] == self.failing for v in current.round.grades.values())
        )


def _method_record(
    method: AssessmentMethod, assessment: MethodAssessment | None, carried
) -> MethodRecord:
    record = MethodRecord(method=method, assessment=assessment, carried=carried)
    if assessment is None:
        return record
    sessions = {s.number: s for s in assessment.sessions.all()}
    record.slots = [
        SessionSlot(n, sessions.get(n), SessionMode.VIDEO in allowed_modes(method, n))
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
        record.problems = grading_problems(assessment)
        record.warnings = grading_warnings(assessment)
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
            round_result(round_, plan, methods, assessments, previous)
            if plan
            else RoundResult(grades=[])
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
        window=assessment_window(
            plan,
            gateway_passed_at=apprenticeship.gateway_passed_at,
            status=apprenticeship.status,
            latest_confirmed_at=latest.confirmed_at if latest else None,
            today=today,
        ),
        rounds=round_records,
        assessors=assessors,
        declarations=declarations,
        viewer_problems=(recording_problems(apprenticeship, viewer) if viewer_is_assessor else []),
        viewer_is_assessor=viewer_is_assessor,
        failing=failing_grade(plan) if plan else "",
    )
