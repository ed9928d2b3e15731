"""End-point assessment: four apprentices who passed gateway for real (see gateway.py), one
at each stage: waiting for an assessor, mid-assessment (observation done, discussion not
yet), completed with distinction, and one who resat the failed discussion (capped at
pass by the assessment organisation's own resit policy, and past the typical period).
Built through the services, so the history is real too; the plan's rules come from the
ST0896 data like everywhere else."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from demo.seed import gateway
from demo.seed.clock import as_of
from demo.seed.core import at, ensure_enrolment, ensure_person, months_before
from epa.models import AssessmentRound, ConflictDeclaration, ResitPolicy
from epa.selectors import assessment as selectors
from epa.services import assessment as services
from epa.services import assessors, policies, results
from portfolio.wellbeing import services as adjustments
from portfolio.wellbeing.models import ReasonableAdjustment
from quality.services import bookings
from standards.models import AssessmentPlan, ResitScope

EPAO_ADMIN = ("epao.admin@example.org", "Grace Adeyemi")

APPRENTICES = {
    # key: (email, full name, employer key, months ago started, date of birth,
    #       days since gateway, stage). They all started before 1 August 2025, so their
    #       off-the-job total is known (from then on it is the standard's published
    #       minimum, which is not loaded for ST0896).
    "lena": (
        "lena.kowalski@example.org",
        "Lena Kowalski",
        "employer",
        17,
        dt.date(1991, 8, 3),
        4,
        "waiting",
    ),
    "marcus": (
        "marcus.bell@example.org",
        "Marcus Bell",
        "employer2",
        18,
        dt.date(1984, 2, 27),
        30,
        "mid_epa",
    ),
    "aisha": (
        "aisha.rahman@example.org",
        "Aisha Rahman",
        "employer",
        19,
        dt.date(1995, 10, 12),
        75,
        "distinction",
    ),
    "tom": (
        "tom.walsh@example.org",
        "Tom Walsh",
        "employer2",
        20,
        dt.date(1977, 4, 5),
        110,
        "resit",
    ),
}

# Questions an assessor might ask, with notes on the answers. None of them names or
# identifies anyone the apprentice supports.
OBSERVATION_QUESTIONS = [
    (
        "You offered to share some of your own experience. How did you decide how much to say?",
        "Said they asked themselves whether it would help the person or only fill a silence. "
        "Kept it short and brought the focus back to the person's own goals.",
    ),
    (
        "What would you have done if the person had become distressed?",
        "Would slow down, check they felt safe, offer a break, and follow the service's plan "
        "for getting clinical support. Named the duty worker as the first contact.",
    ),
    (
        "How did you agree what happens after today?",
        "Asked the person what they wanted to do next, wrote down one small step together "
        "and agreed when they would next meet.",
    ),
    (
        "Where did you record the session, and what did you leave out?",
        "Recorded it on the service's system the same day; left out details of their own "
        "story because they are not part of the person's record.",
    ),
]

DISCUSSION_QUESTIONS = [
    (
        "Tell me about a time you supported a carer as well as the person.",
        "Described listening to a parent's worries, pointing them to the carers' group and "
        "keeping the young person's confidentiality.",
    ),
    (
        "How do you support someone to make a choice you would not make yourself?",
        "Talked about respecting the person's right to decide, sharing what they know of the "
        "risks, and agreeing a plan for what to do if things go wrong.",
    ),
    (
        "When did you last raise a safeguarding concern, and how?",
        "Explained noticing a change, writing down what was seen and said, and telling the "
        "safeguarding lead that day. Knew the policy well.",
    ),
    (
        "How do you use your lived experience without it becoming about you?",
        "Shares only what is useful to the person, and checks in supervision afterwards.",
    ),
    (
        "Tell me about something you changed in your team's way of working.",
        "Suggested plainer discharge letters and helped rewrite the template with the team.",
    ),
    (
        "How do you work with colleagues who are not peer workers?",
        "Explains the peer role clearly, asks to be included in handovers and values what "
        "clinical colleagues bring.",
    ),
    (
        "What have you learned from supervision this year?",
        "Learned to notice when the work stirs up their own memories and to ask for help early.",
    ),
    (
        "How do you look after your own wellbeing at work?",
        "Keeps a wellbeing plan, takes breaks after hard conversations and uses peer supervision.",
    ),
    (
        "What would you like to develop next in your practice?",
        "Wants to co-facilitate a recovery course and learn more about trauma-informed practice.",
    ),
    (
        "How do you keep the people you support safe when you are off work?",
        "Makes sure people know who to contact and hands over to a colleague.",
    ),
]


def _enrol(context, key, email, full_name, employer_key, months_ago, born) -> Apprenticeship:
    apprentice = ensure_person(context, key, email, full_name, context.organisations[employer_key])
    start = months_before(timezone.localdate(), months_ago)
    return ensure_enrolment(
        context,
        key,
        apprentice=apprentice,
        employer_key=employer_key,
        start=start,
        end=months_before(start, -15),
        born=born,
        hours=Decimal("37.5"),
    )


def _ask_for_assessment_adjustment(
    context, apprenticeship: Apprenticeship, *, days_before_gateway: int
) -> None:
    """Marcus asks for adjustments to his assessment before gateway; the provider's gateway
    confirmation passes the request to Fairway."""
    day = timezone.localdate() - dt.timedelta(days=days_before_gateway)
    with as_of(at(day, 16)):
        adjustments.request_adjustment(
            apprenticeship=apprenticeship,
            by=apprenticeship.apprentice,
            area=ReasonableAdjustment.Area.ASSESSMENT,
            description="The professional discussion questions in writing ten minutes before "
            "we start, and a five-minute break halfway through.",
        )


def _decide_assessment_adjustments(apprenticeship: Apprenticeship, epao_admin, *, days_ago: int):
    """Fairway agrees what came with Marcus's gateway; his assessor then sees it."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    for request in ReasonableAdjustment.objects.filter(
        apprenticeship=apprenticeship, status=ReasonableAdjustment.Status.PASSED
    ):
        with as_of(at(day, 11)):
            adjustments.decide_adjustment(
                adjustment=request,
                by=epao_admin,
                agreed=True,
                note="Agreed: the assessor will send the questions ten minutes before.",
            )


def _book(apprenticeship, method, assessor, epao_admin) -> None:
    """Fairway booked Marcus's professional discussion yesterday, for next week: the
    booking page shows it with the adjustments it agreed for him."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with as_of(at(yesterday, 14)):
        bookings.book_session(
            apprenticeship=apprenticeship,
            by=epao_admin,
            method=method,
            starts_at=at(yesterday + dt.timedelta(days=8), 10),
            place="Fairway Assessment, 2 Dock Street, Leeds: the quiet room on the ground floor",
            video_link="",
            assessor=assessor,
        )


def _record(apprenticeship, method, assessor, *, start: dt.date, grade: str) -> None:
    """Every session of the method, the plan's questions, then its grade."""
    questions = DISCUSSION_QUESTIONS if method.themes else OBSERVATION_QUESTIONS
    per_session = method.min_questions_per_session or method.min_questions or len(questions)
    minutes = (method.duration_minutes or 60) // method.sessions
    for number in range(1, method.sessions + 1):
        held_on = start + dt.timedelta(days=7 * (number - 1))
        mode = "video" if number in method.remote_sessions and number > 1 else "in_person"
        with as_of(at(held_on, 11)):
            session = services.record_session(
                apprenticeship=apprenticeship,
                method=method,
                number=number,
                by=assessor,
                held_on=held_on,
                duration_minutes=minutes,
                mode=mode,
            )
            for index in range(per_session):
                question, notes = questions[index % len(questions)]
                services.add_question(
                    session=session,
                    by=assessor,
                    question=question,
                    answer_notes=notes,
                    theme=method.themes[index % len(method.themes)] if method.themes else "",
                )
    with as_of(at(held_on)):
        services.grade_method(
            method_assessment=session.method_assessment,
            by=assessor,
            grade=grade,
            now=at(held_on),
        )


def _confirm(apprenticeship, assessor, *, on: dt.date) -> AssessmentRound:
    round_ = selectors.latest_round(apprenticeship)
    plan = selectors.plan_for(apprenticeship)
    result = selectors.result_of(round_, plan)
    with as_of(at(on)):
        return results.confirm_result(round_=round_, by=assessor, grade=result.overall, now=at(on))


@transaction.atomic
def seed(context) -> None:
    epao = context.organisations["epao"]
    epao_admin = ensure_person(context, "epao_admin", *EPAO_ADMIN, epao, is_admin=True)
    assessor = context.people["assessor"]
    plan = AssessmentPlan.objects.get(
        standard_version=context.apprenticeships["apprentice"].standard_version
    )
    methods = {m.code: m for m in plan.methods.order_by("order")}
    observation, discussion = methods.values()
    # No ST0896 source states resit rules: Fairway records its own policy, which Tom's
    # resit then follows (capped at pass, only the failed method again), shown as theirs.
    if not ResitPolicy.objects.filter(epao=epao, standard_version=plan.standard_version).exists():
        policies.record_resit_policy(
            epao=epao,
            standard_version=plan.standard_version,
            by=epao_admin,
            name="Resit and retake policy, version 2 (January 2025)",
            grade_cap="pass",
            scope=ResitScope.FAILED,
            now=at(dt.date(2025, 1, 13), 11),
        )

    for key, (email, name, employer_key, months_ago, born, days, stage) in APPRENTICES.items():
        apprenticeship = _enrol(context, key, email, name, employer_key, months_ago, born)
        if key == "marcus" and not apprenticeship.is_post_gateway:
            _ask_for_assessment_adjustment(context, apprenticeship, days_before_gateway=days + 20)
        apprenticeship = gateway.pass_gateway(context, apprenticeship, days_ago=days)
        if key == "marcus":
            _decide_assessment_adjustments(apprenticeship, epao_admin, days_ago=days - 2)
        context.apprenticeships[key] = apprenticeship
        if stage == "waiting":
            continue
        gateway_day = timezone.localdate(apprenticeship.gateway_passed_at)
        if not selectors.is_assigned(apprenticeship, assessor):
            with as_of(at(gateway_day + dt.timedelta(days=1), 9)):
                assessors.assign_assessor(
                    apprenticeship=apprenticeship, assessor=assessor, by=epao_admin
                )
        if not ConflictDeclaration.objects.filter(
            apprenticeship=apprenticeship, assessor=assessor
        ).exists():
            with as_of(at(gateway_day + dt.timedelta(days=2), 10)):
                services.declare_no_conflict(
                    apprenticeship=apprenticeship,
                    assessor=assessor,
                    now=at(gateway_day + dt.timedelta(days=2), 10),
                )
        if AssessmentRound.objects.filter(apprenticeship=apprenticeship).exists():
            continue
        first_day = gateway_day + dt.timedelta(days=7)
        _record(apprenticeship, observation, assessor, start=first_day, grade="pass")
        if stage == "mid_epa":
            if key == "marcus":
                _book(apprenticeship, discussion, assessor, epao_admin)
            continue
        discussion_day = first_day + dt.timedelta(days=14)
        first_grade = "distinction" if stage == "distinction" else "fail"
        _record(apprenticeship, discussion, assessor, start=discussion_day, grade=first_grade)
        _confirm(apprenticeship, assessor, on=discussion_day + dt.timedelta(days=1))
        if stage != "resit":
            continue
        resit_day = timezone.localdate() - dt.timedelta(days=6)
        with as_of(at(resit_day - dt.timedelta(days=14), 9)):
            results.start_round(
                apprenticeship=apprenticeship, by=assessor, kind=AssessmentRound.Kind.RESIT
            )
        _record(apprenticeship, discussion, assessor, start=resit_day, grade="distinction")
        _confirm(apprenticeship, assessor, on=resit_day + dt.timedelta(days=1))
