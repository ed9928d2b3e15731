"""End-point assessment through the services, for tests: the real ST0896 plan data, a
made-up plan with three methods, taking a method through to a grade, and an
apprenticeship made ready for gateway."""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apprenticeship.models import Apprenticeship, Role
from epa.models import AssessmentQuestion, AssessmentRound, SessionMode
from epa.services import assessment as services
from epa.services import results
from portfolio.evidence.models import Evidence
from portfolio.evidence.services import sign_offs
from portfolio.training.services import log as otj_log
from standards.models import KSB, AssessmentMethod, AssessmentPlan
from tests import factories
from tests.helpers import reviews
from tests.helpers.evidence import make_evidence

# The test standard's published minimum off-the-job hours, so the required total is known.
OTJ_HOURS = 6

ST0896_FILE = Path(settings.BASE_DIR) / "fixtures" / "standards" / "st0896-v1.0.json"


def st0896_plan_data() -> dict:
    """The assessment plan section of the project's ST0896 file, as loaded by the importer."""
    return json.loads(ST0896_FILE.read_text(encoding="utf-8"))["assessmentPlan"]


def add_plan(standard_version, data: dict) -> AssessmentPlan:
    """An assessment plan on `standard_version` from plan data in the file's shape
    (mapped KSBs given by code)."""
    plan = factories.AssessmentPlanFactory(
        standard_version=standard_version,
        provenance=data.get("provenance", "verified"),
        source=data.get("source", ""),
        overall_grades=data["overallGrades"],
        grade_table=data["gradeTable"],
        epa_window_months=data.get("epaWindowMonths"),
        epa_window_is_maximum=data.get("epaWindowIsMaximum") or False,
        resit_grade_cap=data.get("resitGradeCap") or "",
        resit_scope=data.get("resitScope") or "",
        every_theme_required=data.get("everyThemeRequired") or False,
        facts=data.get("facts", {}),
    )
    for order, item in enumerate(data["methods"], start=1):
        method = factories.AssessmentMethodFactory(
            plan=plan,
            code=item["code"],
            order=order,
            name=item["name"],
            duration_minutes=item.get("durationMinutes"),
            sessions=item.get("sessions") or 1,
            remote_sessions=item.get("remoteSessions", []),
            min_questions_per_session=item.get("minQuestionsPerSession"),
            min_questions=item.get("minQuestions"),
            themes=item.get("themes", []),
            grade_options=item["gradeOptions"],
            provenance=item.get("provenance", "verified"),
            source=item.get("source", ""),
        )
        method.ksbs.set(
            KSB.objects.filter(
                standard_version=standard_version, code__in=item.get("mappedKsbs", [])
            )
        )
    return plan


THREE_GRADES = ["fail", "pass", "merit", "distinction"]
THREE_METHODS = [
    # code, grade options, sessions, video sessions, per session, in all, themes, KSBs
    ("TM1", ["fail", "pass"], 1, [], 2, 2, [], ["S1", "S2"]),
    ("TM2", ["fail", "pass", "merit", "distinction"], 3, [1, 3], 1, 4, ["alpha", "beta"], []),
    ("TM3", ["fail", "pass", "distinction"], 1, [1], None, 3, [], ["S3"]),
]


def three_method_table(rule) -> list[dict]:
    """Every combination of the three methods' grades, with `rule(grades)` as overall."""
    rows = []
    for g1 in THREE_METHODS[0][1]:
        for g2 in THREE_METHODS[1][1]:
            for g3 in THREE_METHODS[2][1]:
                grades = {"TM1": g1, "TM2": g2, "TM3": g3}
                rows.append({"grades": grades, "overall": rule(grades)})
    return rows


def odd_rule(grades: dict) -> str:
    """A made-up table no code could guess: it follows no pattern a programmer would write
    as a rule, so a test passing on it shows the grade comes from the table."""
    if "fail" in grades.values():
        return "fail"
    score = sum(THREE_GRADES.index(g) for g in grades.values())
    return {3: "pass", 4: "merit", 5: "pass", 6: "distinction"}.get(score, "merit")


def three_method_plan_data(*, cap: str = "merit") -> dict:
    return {
        "provenance": "verified",
        "source": "A made-up plan for tests",
        "overallGrades": THREE_GRADES,
        "gradeTable": three_method_table(odd_rule),
        "epaWindowMonths": 4,
        "resitGradeCap": cap,
        "facts": {},
        "methods": [
            {
                "code": code,
                "name": f"Method {code}",
                "durationMinutes": 60 * sessions,
                "sessions": sessions,
                "remoteSessions": remote,
                "minQuestionsPerSession": per_session,
                "minQuestions": in_all,
                "themes": themes,
                "gradeOptions": options,
                "mappedKsbs": ksbs,
            }
            for code, options, sessions, remote, per_session, in_all, themes, ksbs in THREE_METHODS
        ],
    }


def record_resit_policy(
    apprenticeship: Apprenticeship, *, cap: str = "pass", scope: str = "failed", by=None
):
    """The apprenticeship's assessment organisation records its own resit policy for the
    standard (as its admin)."""
    from epa.services import policies

    if by is None:
        by = factories.UserFactory()
        factories.OrganisationMembershipFactory(
            user=by, organisation=apprenticeship.epao, is_admin=True
        )
    return policies.record_resit_policy(
        epao=apprenticeship.epao,
        standard_version=apprenticeship.standard_version,
        by=by,
        name="Resit and retake policy, version 2",
        grade_cap=cap,
        scope=scope,
    )


def pass_gateway(apprenticeship: Apprenticeship, *, days_ago: int = 10) -> Apprenticeship:
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.gateway_passed_at = timezone.now() - dt.timedelta(days=days_ago)
    apprenticeship.save(update_fields=["status", "gateway_passed_at"])
    return apprenticeship


def record_method(
    apprenticeship,
    method: AssessmentMethod,
    assessor,
    *,
    grade: str | None = None,
    questions: int | None = None,
    themes: list[str] | None = None,
    held_on: dt.date | None = None,
    via_services: bool = False,
):
    """Record every session of `method` with the plan's minimum questions (or
    `questions` in each session), every theme covered and a note against every mapped
    KSB, then give `grade` if one is asked for. Returns the method assessment.

    Sessions, notes and grades go through the services; questions too with
    `via_services`, else they are written in one go (the question service has its own
    tests), which keeps the exhaustive grade tests quick."""
    held_on = held_on or timezone.localdate()
    per_session = method.min_questions_per_session or 0
    in_all = method.min_questions or 0
    counts = [per_session] * method.sessions
    counts[0] += max(0, in_all - sum(counts))
    if questions is not None:
        counts = [questions] * method.sessions
    themes = method.themes if themes is None else themes
    asked = 0
    for number, count in enumerate(counts, start=1):
        session = services.record_session(
            apprenticeship=apprenticeship,
            method=method,
            number=number,
            by=assessor,
            held_on=held_on,
            duration_minutes=(method.duration_minutes or 60) // method.sessions,
            mode=SessionMode.IN_PERSON,
        )
        rows = []
        for n in range(1, count + 1):
            values = {
                "question": f"Question {asked + 1}: tell me about a time you shared your story.",
                "answer_notes": "Clear, safe and purposeful sharing, linked to their goals.",
                "theme": themes[asked % len(themes)] if themes else "",
            }
            asked += 1
            if via_services:
                services.add_question(session=session, by=assessor, **values)
            else:
                rows.append(
                    AssessmentQuestion(session=session, number=n, recorded_by=assessor, **values)
                )
        AssessmentQuestion.objects.bulk_create(rows)
    assessment = session.method_assessment
    ksbs = list(method.ksbs.all())
    if ksbs:
        services.save_ksb_notes(
            method_assessment=assessment,
            by=assessor,
            notes={k.pk: f"Seen in session 1: {k.code}." for k in ksbs},
        )
    if grade is not None:
        assessment = services.grade_method(method_assessment=assessment, by=assessor, grade=grade)
    return assessment


def current_round(apprenticeship) -> AssessmentRound:
    return AssessmentRound.objects.filter(apprenticeship=apprenticeship).order_by("-number").first()


def confirm(apprenticeship, assessor) -> AssessmentRound:
    """Confirm the current round at the grade the plan gives."""
    from epa.selectors import record as records

    round_ = current_round(apprenticeship)
    record = records.assessment_record(apprenticeship, assessor)
    return results.confirm_result(round_=round_, by=assessor, grade=record.current.result.overall)


def make_ready(apprenticeship, tutor):
    """Everything holds but the two confirmations: long enough on programme, off-the-job
    training done and verified, every duty signed off on accepted evidence, and a recent
    review signed by everyone."""
    start = timezone.localdate() - dt.timedelta(days=400)
    Apprenticeship.objects.filter(pk=apprenticeship.pk).update(
        start_date=start, planned_end_date=start + dt.timedelta(days=460)
    )
    apprenticeship.refresh_from_db()
    standard = apprenticeship.standard_version
    standard.otj_minimum_hours = OTJ_HOURS
    standard.save(update_fields=["otj_minimum_hours"])
    for day, duty in enumerate(standard.duties.order_by("number"), start=1):
        entry = otj_log.log_otj_entry(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            date=start + dt.timedelta(days=7 * day),
            minutes=OTJ_HOURS * 60 // 2,
            activity_type="practical",
            duty=duty,
            description="Shadowed the crisis team's evening shift.",
        )
        otj_log.verify_otj_entry(entry=entry, by=tutor, as_role=Role.TUTOR)
    for duty in apprenticeship.standard_version.duties.order_by("number"):
        evidence = make_evidence(
            apprenticeship,
            duties=[duty],
            status=Evidence.Status.ACCEPTED,
            tutor=tutor,
            title=f"Evidence for {duty.code}",
        )
        sign_offs.sign_off_duty(
            apprenticeship=apprenticeship,
            duty=duty,
            by=tutor,
            evidence_versions=[evidence.accepted_version],
            comment=f"{duty.code} is covered.",
        )
    personas = {
        "apprenticeship": apprenticeship,
        "tutor": tutor,
        "apprentice": apprenticeship.apprentice,
        "employer": apprenticeship.memberships.get(role=Role.EMPLOYER).user,
    }
    reviews.sign_all(personas, reviews.record(personas))
    return apprenticeship


def new_assessor(epao, **extra):
    user = factories.UserFactory(**extra)
    factories.OrganisationMembershipFactory(user=user, organisation=epao)
    return user


def assign(apprenticeship, user):
    return factories.MembershipFactory(apprenticeship=apprenticeship, user=user, role=Role.ASSESSOR)
