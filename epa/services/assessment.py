"""Everything the assessor records for the end-point assessment: their declaration of no
conflict of interest, sessions, questions, notes against KSBs and each method's grade.
Assigning the assessor is in epa/services/assessors.py; the result, resits, exceptional
circumstances and appeals in epa/services/results.py. Each change is in the append-only
history.

Every recording service locks the apprenticeship row first, so two people recording at
once are taken one after the other, and checks the recorder again with
`recording_problems` (gateway, assignment, independence, declaration): an assignment
forced past the form still cannot record anything.

The plan's facts (sessions, video sessions, minimum questions, themes, grade options) are
read from the standard's AssessmentPlan and AssessmentMethod rows.
"""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from apprenticeship.services import lock_apprenticeship
from audit.actions import AuditAction
from audit.services import record_event
from epa.errors import EpaError
from epa.models import (
    AssessmentQuestion,
    AssessmentRound,
    AssessmentSession,
    ConflictDeclaration,
    KsbNote,
    MethodAssessment,
    SessionMode,
)
from epa.models.assessment import NO_CONFLICT_STATEMENT
from epa.selectors.assessment import (
    allowed_modes,
    grading_problems,
    independence_problems,
    is_assigned,
    method_assessment_with_record,
    plan_for,
    video_rule,
)
from epa.services.rounds import (
    require_post_gateway,
    require_recorder,
    require_unlocked,
    round_to_record,
)
from standards.models import AssessmentMethod

# A sanity bound, not a plan fact: no session of any method runs longer than this.
MAX_SESSION_MINUTES = 8 * 60


# -- the declaration -------------------------------------------------------------------


@transaction.atomic
def declare_no_conflict(
    *, apprenticeship: Apprenticeship, assessor: User, now: dt.datetime | None = None
) -> ConflictDeclaration:
    """Record the assessor's declaration that they have no conflict of interest."""
    locked = lock_apprenticeship(apprenticeship)
    require_post_gateway(locked)
    if not is_assigned(locked, assessor):
        raise EpaError(f"{assessor.full_name} is not assigned as this apprentice's assessor.")
    problems = independence_problems(locked, assessor)
    if problems:
        raise EpaError(
            "You can't declare that you have no conflict of interest. "
            + " ".join(problems)
            + " Ask your assessment organisation to assign someone else."
        )
    existing = ConflictDeclaration.objects.filter(apprenticeship=locked, assessor=assessor).first()
    if existing is not None:
        when = timezone.localtime(existing.declared_at)
        raise EpaError(f"You declared no conflict of interest on {when:%-d %B %Y}.")
    declaration = ConflictDeclaration(
        apprenticeship=locked,
        assessor=assessor,
        statement=NO_CONFLICT_STATEMENT,
        declared_at=now or timezone.now(),
    )
    declaration.full_clean()
    declaration.save()
    record_event(
        action=AuditAction.EPA_NO_CONFLICT_DECLARED,
        obj=declaration,
        actor=assessor,
        apprenticeship_id=locked.pk,
        summary=f"{assessor.full_name} declared no conflict of interest",
        after={"statement": declaration.statement},
    )
    return declaration


# -- sessions, questions and notes -----------------------------------------------------


def _check_session_values(
    apprenticeship: Apprenticeship,
    method: AssessmentMethod,
    number: int,
    held_on: dt.date,
    duration_minutes: int,
    mode: str,
    today: dt.date,
) -> None:
    if not 1 <= number <= method.sessions:
        sessions = f"{method.sessions} session{'s' if method.sessions != 1 else ''}"
        raise EpaError(f"The plan has {sessions} for {method.name}.")
    if mode not in SessionMode.values:
        raise EpaError("Say whether the session was held in person or by video.")
    if mode not in allowed_modes(method, number):
        raise EpaError(video_rule(method) + f" Record session {number} as held in person.")
    if held_on > today:
        raise EpaError("The date of the session can't be in the future.")
    if apprenticeship.gateway_passed_at is not None:
        gateway_day = timezone.localdate(apprenticeship.gateway_passed_at)
        if held_on < gateway_day:
            raise EpaError(
                f"The session can't be before gateway, which was on {gateway_day:%-d %B %Y}."
            )
    if not 0 < duration_minutes <= MAX_SESSION_MINUTES:
        raise EpaError(
            f"A session lasts more than 0 and at most {MAX_SESSION_MINUTES} minutes. "
            "Check the duration."
        )


def _method_assessment_to_record(round_: AssessmentRound, method: AssessmentMethod):
    assessment = (
        MethodAssessment.objects.select_for_update()
        .filter(round=round_, method=method)
        .select_related("method")
        .first()
    )
    if assessment is None:
        raise EpaError(
            f"{method.name} is not being assessed again in this "
            f"{round_.get_kind_display().lower()}: it was passed before and its grade carries over."
        )
    return assessment


def _require_ungraded(assessment: MethodAssessment) -> None:
    if assessment.is_graded:
        raise EpaError(
            f"{assessment.method.name} has been graded, so what was recorded for it can't change."
        )


@transaction.atomic
def record_session(
    *,
    apprenticeship: Apprenticeship,
    method: AssessmentMethod,
    number: int,
    by: User,
    held_on: dt.date,
    duration_minutes: int,
    mode: str,
    today: dt.date | None = None,
) -> AssessmentSession:
    """Record a session of a method (or correct it, until the method is graded)."""
    locked = lock_apprenticeship(apprenticeship)
    require_recorder(locked, by)
    plan = plan_for(locked)
    if method.plan_id != plan.pk:
        raise EpaError("That method is not part of this apprentice's assessment plan.")
    _check_session_values(
        locked, method, number, held_on, duration_minutes, mode, today or timezone.localdate()
    )
    round_ = round_to_record(locked, by, plan)
    assessment = _method_assessment_to_record(round_, method)
    _require_ungraded(assessment)
    values = {"held_on": held_on, "duration_minutes": duration_minutes, "mode": mode}
    session = AssessmentSession.objects.filter(method_assessment=assessment, number=number).first()
    if session is None:
        session = AssessmentSession(
            method_assessment=assessment, number=number, recorded_by=by, **values
        )
        session.full_clean()
        session.save()
        record_event(
            action=AuditAction.EPA_SESSION_RECORDED,
            obj=session,
            actor=by,
            apprenticeship_id=locked.pk,
            summary=f"Recorded session {number} of {method.name}",
            after={**values, "method": method.code, "number": number},
        )
        return session
    before = {name: getattr(session, name) for name in values}
    if before == values:
        return session
    for name, value in values.items():
        setattr(session, name, value)
    session.updated_at = timezone.now()
    session.full_clean()
    session.save(update_fields=[*values, "updated_at"])
    record_event(
        action=AuditAction.EPA_SESSION_CHANGED,
        obj=session,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Changed session {number} of {method.name}",
        before=before,
        after=values,
    )
    return session


def _lock_for_change(method_assessment_id: int, by: User):
    """Lock the apprenticeship, check the recorder, and return the method assessment if
    it can still change (its round is not confirmed and it is not graded)."""
    apprenticeship_id = (
        MethodAssessment.objects.filter(pk=method_assessment_id)
        .values_list("round__apprenticeship_id", flat=True)
        .get()
    )
    locked = lock_apprenticeship(apprenticeship_id)
    require_recorder(locked, by)
    plan = plan_for(locked)
    assessment = (
        MethodAssessment.objects.select_for_update(of=("self",))
        .select_related("method", "round")
        .get(pk=method_assessment_id)
    )
    require_unlocked(assessment.round, plan)
    _require_ungraded(assessment)
    return locked, plan, assessment


def _clean_question(method: AssessmentMethod, question: str, answer_notes: str, theme: str):
    question, answer_notes, theme = question.strip(), answer_notes.strip(), theme.strip()
    if not question:
        raise EpaError("Write the question you asked.")
    if not answer_notes:
        raise EpaError("Write your notes on the answer.")
    if method.themes and theme not in method.themes:
        raise EpaError("Choose which of the plan's themes this question covers.")
    if not method.themes and theme:
        raise EpaError(f"The plan gives no themes for {method.name}.")
    return question, answer_notes, theme


@transaction.atomic
def add_question(
    *, session: AssessmentSession, by: User, question: str, answer_notes: str, theme: str = ""
) -> AssessmentQuestion:
    """Add a question asked in a session, with notes on the answer (and its theme, where
    the method has themes)."""
    locked, _plan, assessment = _lock_for_change(session.method_assessment_id, by)
    question, answer_notes, theme = _clean_question(
        assessment.method, question, answer_notes, theme
    )
    number = (session.questions.aggregate(n=Max("number"))["n"] or 0) + 1
    row = AssessmentQuestion(
        session_id=session.pk,
        number=number,
        question=question,
        answer_notes=answer_notes,
        theme=theme,
        recorded_by=by,
    )
    row.full_clean()
    row.save()
    record_event(
        action=AuditAction.EPA_QUESTION_RECORDED,
        obj=row,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Recorded question {number} in session {session.number} of "
        f"{assessment.method.name}",
        after={"question": question, "answer_notes": answer_notes, "theme": theme},
    )
    return row


@transaction.atomic
def edit_question(
    *,
    question: AssessmentQuestion,
    by: User,
    text: str,
    answer_notes: str,
    theme: str = "",
) -> AssessmentQuestion:
    """Correct a question, until its method is graded. The history keeps what it said."""
    session = question.session
    locked, _plan, assessment = _lock_for_change(session.method_assessment_id, by)
    text, answer_notes, theme = _clean_question(assessment.method, text, answer_notes, theme)
    row = AssessmentQuestion.objects.select_for_update().get(pk=question.pk)
    before = {"question": row.question, "answer_notes": row.answer_notes, "theme": row.theme}
    after = {"question": text, "answer_notes": answer_notes, "theme": theme}
    if before == after:
        return row
    row.question, row.answer_notes, row.theme = text, answer_notes, theme
    row.updated_at = timezone.now()
    row.full_clean()
    row.save(update_fields=["question", "answer_notes", "theme", "updated_at"])
    record_event(
        action=AuditAction.EPA_QUESTION_CHANGED,
        obj=row,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Changed question {row.number} in session {session.number} of "
        f"{assessment.method.name}",
        before=before,
        after=after,
    )
    return row


@transaction.atomic
def save_ksb_notes(
    *, method_assessment: MethodAssessment, by: User, notes: Mapping[int, str]
) -> list[KsbNote]:
    """Save notes against the KSBs the plan maps to the method ({KSB id: note}). A blank
    note leaves what was there."""
    locked, _plan, assessment = _lock_for_change(method_assessment.pk, by)
    ksbs = {ksb.pk: ksb for ksb in assessment.method.ksbs.all()}
    if not ksbs:
        raise EpaError(
            f"The plan does not say which KSBs {assessment.method.name} assesses, so there is "
            "nothing to note against."
        )
    if set(notes) - set(ksbs):
        raise EpaError(f"Write notes only against the KSBs {assessment.method.name} assesses.")
    existing = {
        n.ksb_id: n
        for n in KsbNote.objects.select_for_update().filter(method_assessment=assessment)
    }
    saved = []
    for ksb_id, text in notes.items():
        text = text.strip()
        note = existing.get(ksb_id)
        if not text or (note is not None and note.note == text):
            continue
        before = note.note if note is not None else ""
        if note is None:
            note = KsbNote(method_assessment=assessment, ksb_id=ksb_id, note=text, recorded_by=by)
            note.full_clean()
            note.save()
        else:
            note.note, note.recorded_by, note.updated_at = text, by, timezone.now()
            note.save(update_fields=["note", "recorded_by", "updated_at"])
        record_event(
            action=AuditAction.EPA_KSB_NOTE_SAVED,
            obj=note,
            actor=by,
            apprenticeship_id=locked.pk,
            summary=f"Wrote a note against {ksbs[ksb_id].code} for {assessment.method.name}",
            before={"note": before} if before else None,
            after={"note": text},
        )
        saved.append(note)
    return saved


# -- grades ----------------------------------------------------------------------------


@transaction.atomic
def grade_method(
    *, method_assessment: MethodAssessment, by: User, grade: str, now: dt.datetime | None = None
) -> MethodAssessment:
    """Give the method its grade for this attempt, from the method's grade options, once
    the plan's minimums are met. One grade per attempt, unless moderation returned the
    result to the assessor: then the grade may be changed before confirming again."""
    apprenticeship_id = (
        MethodAssessment.objects.filter(pk=method_assessment.pk)
        .values_list("round__apprenticeship_id", flat=True)
        .get()
    )
    locked = lock_apprenticeship(apprenticeship_id)
    require_recorder(locked, by)
    plan = plan_for(locked)
    MethodAssessment.objects.select_for_update(of=("self",)).get(pk=method_assessment.pk)
    assessment = method_assessment_with_record(method_assessment.pk)
    method = assessment.method
    require_unlocked(assessment.round, plan)
    # A result moderation returned may be graded again; otherwise one grade per attempt.
    regrade = assessment.is_graded and bool(assessment.round.returned_reason)
    before = {"grade": assessment.grade} if regrade else None
    if assessment.is_graded and not regrade:
        raise EpaError(
            f"{method.name} already has a grade for this "
            f"{assessment.round.get_kind_display().lower()}. A second grade can't be given for "
            "the same attempt."
        )
    if grade not in method.grade_options:
        raise EpaError(
            f"“{grade}” is not a grade for {method.name}. The plan's grades for it are: "
            + ", ".join(method.grade_options)
            + "."
        )
    problems = grading_problems(assessment)
    if problems:
        raise EpaError(f"{method.name} can't be graded yet. " + " ".join(problems))
    assessment.grade = grade
    assessment.graded_at = now or timezone.now()
    assessment.graded_by = by
    assessment.save(update_fields=["grade", "graded_at", "graded_by"])
    # The grade stays out of the summary, which the apprentice's history shows: the
    # result is told when the assessor confirms it.
    record_event(
        action=AuditAction.EPA_METHOD_GRADED,
        obj=assessment,
        actor=by,
        apprenticeship_id=locked.pk,
        summary=f"Graded {method.name}" + (" again after moderation" if regrade else ""),
        before=before,
        after={"grade": grade, "method": method.code, "round": assessment.round.number},
    )
    return assessment
