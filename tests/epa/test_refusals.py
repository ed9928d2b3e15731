"""Everything the rules refuse is refused with a plain message, and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from epa.errors import EpaError
from epa.models import (
    Appeal,
    AssessmentQuestion,
    AssessmentRound,
    AssessmentSession,
    KsbNote,
    MethodAssessment,
)
from epa.selectors import assessment as selectors
from epa.services import assessment as services
from epa.services import assessors, results
from tests.helpers.epa import (
    add_plan,
    confirm,
    current_round,
    new_assessor,
    pass_gateway,
    record_method,
    three_method_plan_data,
)


def _state():
    """Everything an EPA refusal must leave as it was."""
    return (
        list(AssessmentRound.objects.values_list("pk", "confirmed_at", "overall_grade")),
        list(MethodAssessment.objects.values_list("pk", "grade")),
        list(AssessmentSession.objects.values_list("pk", "held_on", "duration_minutes", "mode")),
        list(AssessmentQuestion.objects.values_list("pk", "question", "theme")),
        list(KsbNote.objects.values_list("pk", "note")),
        list(Appeal.objects.values_list("pk", "outcome", "grade_after")),
        list(Apprenticeship.objects.values_list("pk", "status")),
        AuditEvent.objects.count(),
    )


class refused:
    """pytest.raises(EpaError, match=...) that also checks nothing changed."""

    def __init__(self, match: str):
        self.match = match

    def __enter__(self):
        self.before = _state()
        self.raises = pytest.raises(EpaError, match=self.match)
        return self.raises.__enter__()

    def __exit__(self, *exc):
        handled = self.raises.__exit__(*exc)
        assert _state() == self.before
        return handled


def _session(apprenticeship, method, assessor, number=1, **extra):
    values = {
        "held_on": timezone.localdate(),
        "duration_minutes": 60,
        "mode": "in_person",
    }
    values.update(extra)
    return services.record_session(
        apprenticeship=apprenticeship, method=method, number=number, by=assessor, **values
    )


def _question(session, assessor, theme=""):
    return services.add_question(
        session=session,
        by=assessor,
        question="How do you decide what to share?",
        answer_notes="Thinks about whether it helps the person.",
        theme=theme,
    )


# -- before gateway --------------------------------------------------------------------


def test_nothing_can_be_recorded_before_gateway(personas, methods, assessor):
    apprenticeship = personas["apprenticeship"]
    assert not apprenticeship.is_post_gateway
    with refused("only be recorded after gateway"):
        services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    with refused("only be recorded after gateway"):
        _session(apprenticeship, methods["AM1"], assessor)


def test_recording_stops_if_the_enrolment_is_taken_back_before_gateway(at_epa, methods, assessor):
    session = _session(at_epa, methods["AM1"], assessor)
    Apprenticeship.objects.filter(pk=at_epa.pk).update(status=Apprenticeship.Status.ON_PROGRAMME)
    with refused("only be recorded after gateway"):
        _question(session, assessor)


# -- sessions --------------------------------------------------------------------------


def test_video_is_refused_for_a_session_the_plan_keeps_in_person(at_epa, methods, assessor):
    with refused("allows video only for session 2 of Observation"):
        _session(at_epa, methods["AM1"], assessor, number=1, mode="video")
    assert _session(at_epa, methods["AM1"], assessor, number=2, mode="video").mode == "video"
    assert _session(at_epa, methods["AM2"], assessor, number=1, mode="video").mode == "video"


def test_video_is_refused_for_a_method_the_plan_never_allows_by_video(
    personas, standard_version, assessor
):
    plan = add_plan(standard_version, three_method_plan_data())
    apprenticeship = pass_gateway(personas["apprenticeship"])
    services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    tm1 = plan.methods.get(code="TM1")
    with refused("does not allow Method TM1 to be held by video"):
        _session(apprenticeship, tm1, assessor, mode="video")
    tm2 = plan.methods.get(code="TM2")
    with refused("allows video only for sessions 1, 3 of Method TM2"):
        _session(apprenticeship, tm2, assessor, number=2, mode="video")


def test_a_session_the_plan_does_not_have_is_refused(at_epa, methods, assessor):
    with refused("The plan has 2 sessions for Observation"):
        _session(at_epa, methods["AM1"], assessor, number=3)
    with refused("The plan has 1 session for Professional"):
        _session(at_epa, methods["AM2"], assessor, number=2)


def test_a_mode_that_is_not_a_mode_is_refused(at_epa, methods, assessor):
    with refused("in person or by video"):
        _session(at_epa, methods["AM1"], assessor, mode="telepathy")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        # Callables, so dates are worked out when the test runs, not when it is collected.
        (
            lambda: {"held_on": timezone.localdate() + dt.timedelta(days=1)},
            "can't be in the future",
        ),
        (
            lambda: {"held_on": timezone.localdate() - dt.timedelta(days=30)},
            "can't be before gateway",
        ),
        (lambda: {"duration_minutes": 0}, "more than 0 and at most 480 minutes"),
        (lambda: {"duration_minutes": 481}, "more than 0 and at most 480 minutes"),
    ],
)
def test_impossible_session_dates_and_durations_are_refused(
    at_epa, methods, assessor, values, message
):
    with refused(message):
        _session(at_epa, methods["AM1"], assessor, **values())


def test_a_method_from_another_plan_is_refused(at_epa, assessor):
    from tests import factories

    foreign = factories.AssessmentMethodFactory(grade_options=["fail", "pass"])
    with refused("not part of this apprentice's assessment plan"):
        _session(at_epa, foreign, assessor)


def test_no_plan_no_recording(personas, assessor):
    apprenticeship = pass_gateway(personas["apprenticeship"])
    services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    from tests import factories

    method = factories.AssessmentMethodFactory()
    with refused("assessment plan for this standard has not been loaded"):
        _session(apprenticeship, method, assessor)


# -- questions -------------------------------------------------------------------------


def test_a_question_needs_its_text_notes_and_a_theme_where_the_method_has_themes(
    at_epa, methods, assessor
):
    observation = _session(at_epa, methods["AM1"], assessor)
    discussion = _session(at_epa, methods["AM2"], assessor)
    with refused("Write the question"):
        services.add_question(session=observation, by=assessor, question=" ", answer_notes="x")
    with refused("Write your notes on the answer"):
        services.add_question(session=observation, by=assessor, question="x", answer_notes="")
    with refused("Choose which of the plan's themes"):
        _question(discussion, assessor)
    with refused("Choose which of the plan's themes"):
        _question(discussion, assessor, theme="a theme the plan does not have")
    with refused("gives no themes for Observation"):
        _question(observation, assessor, theme=methods["AM2"].themes[0])
    assert _question(discussion, assessor, theme=methods["AM2"].themes[0]).number == 1


# -- grades ----------------------------------------------------------------------------


def test_a_grade_with_fewer_than_the_minimum_questions_in_a_session_is_refused(
    at_epa, methods, assessor
):
    observation = record_method(at_epa, methods["AM1"], assessor, questions=3)
    with refused("Session 1 has 3 questions; the plan asks for at least 4 after each session"):
        services.grade_method(method_assessment=observation, by=assessor, grade="pass")


def test_a_grade_with_fewer_than_the_minimum_questions_in_all_is_refused(at_epa, methods, assessor):
    discussion = record_method(at_epa, methods["AM2"], assessor, questions=9)
    with refused("9 questions recorded in all; the plan asks for at least 10"):
        services.grade_method(method_assessment=discussion, by=assessor, grade="pass")


def test_a_grade_with_a_session_not_recorded_is_refused(at_epa, methods, assessor):
    session = _session(at_epa, methods["AM1"], assessor)
    for _ in range(8):
        _question(session, assessor)
    with refused("Record session 2"):
        services.grade_method(
            method_assessment=session.method_assessment, by=assessor, grade="pass"
        )


def test_a_theme_left_uncovered_is_a_warning_where_the_plan_does_not_require_every_theme(
    at_epa, methods, assessor
):
    # No ST0896 source says every theme must be covered (SRC-PIER lists the four themes
    # only): the plan data says "not loaded", so grading goes ahead with a warning.
    themes = methods["AM2"].themes
    discussion = record_method(at_epa, methods["AM2"], assessor, themes=themes[:3])
    loaded = selectors.method_assessment_with_record(discussion.pk)
    assert selectors.grading_problems(loaded) == []
    (warning,) = selectors.grading_warnings(loaded)
    assert f"No question covers these themes yet: {themes[3]}" in warning
    graded = services.grade_method(method_assessment=discussion, by=assessor, grade="pass")
    assert graded.grade == "pass"


def test_a_grade_with_a_theme_left_uncovered_is_refused_where_the_plan_requires_every_theme(
    at_epa, plan, methods, assessor
):
    plan.every_theme_required = True
    plan.facts = {**plan.facts, "everyThemeRequired": {"provenance": "verified"}}
    plan.save(update_fields=["every_theme_required", "facts"])
    themes = methods["AM2"].themes
    discussion = record_method(at_epa, methods["AM2"], assessor, themes=themes[:3])
    with refused(f"No question covers these themes yet: {themes[3]}"):
        services.grade_method(method_assessment=discussion, by=assessor, grade="distinction")


def test_a_grade_outside_the_methods_options_is_refused(at_epa, methods, assessor):
    observation = record_method(at_epa, methods["AM1"], assessor)
    with refused("“distinction” is not a grade for Observation .* fail, pass"):
        services.grade_method(method_assessment=observation, by=assessor, grade="distinction")


def test_a_second_grade_for_the_same_attempt_is_refused(at_epa, methods, assessor):
    observation = record_method(at_epa, methods["AM1"], assessor, grade="fail")
    with refused("A second grade can't be given for the same attempt"):
        services.grade_method(method_assessment=observation, by=assessor, grade="pass")
    with refused("A second grade can't be given for the same attempt"):
        services.grade_method(method_assessment=observation, by=assessor, grade="fail")


def test_a_graded_method_keeps_its_sessions_and_questions(at_epa, methods, assessor):
    observation = record_method(at_epa, methods["AM1"], assessor, grade="pass")
    session = observation.sessions.get(number=1)
    with refused("has been graded"):
        _session(at_epa, methods["AM1"], assessor, duration_minutes=70)
    with refused("has been graded"):
        _question(session, assessor)
    with refused("has been graded"):
        services.edit_question(
            question=session.questions.first(), by=assessor, text="New", answer_notes="New"
        )


def test_a_grade_needs_a_note_against_every_ksb_the_plan_maps_to_the_method(
    personas, standard_version, assessor
):
    plan = add_plan(standard_version, three_method_plan_data())
    apprenticeship = pass_gateway(personas["apprenticeship"])
    services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    tm1 = plan.methods.get(code="TM1")
    session = _session(apprenticeship, tm1, assessor)
    _question(session, assessor)
    _question(session, assessor)
    assessment = session.method_assessment
    s1 = tm1.ksbs.get(code="S1")
    services.save_ksb_notes(method_assessment=assessment, by=assessor, notes={s1.pk: "Seen."})
    with refused("Write a note against every KSB this method assesses. Still to do: S2."):
        services.grade_method(method_assessment=assessment, by=assessor, grade="pass")
    other = plan.methods.get(code="TM3").ksbs.get()
    with refused("only against the KSBs Method TM1 assesses"):
        services.save_ksb_notes(method_assessment=assessment, by=assessor, notes={other.pk: "x"})


def test_ksb_notes_are_refused_where_the_plan_maps_none(at_epa, methods, assessor):
    session = _session(at_epa, methods["AM1"], assessor)
    with refused("does not say which KSBs Observation of practice with questions assesses"):
        services.save_ksb_notes(method_assessment=session.method_assessment, by=assessor, notes={})


# -- the result ------------------------------------------------------------------------


def test_the_result_cannot_be_confirmed_until_every_method_is_graded(at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    round_ = current_round(at_epa)
    with refused("Not graded yet: Professional discussion"):
        results.confirm_result(round_=round_, by=assessor, grade="pass")


def test_confirming_a_grade_other_than_the_plans_is_refused(at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    with refused("The overall grade has changed since you opened the page"):
        results.confirm_result(round_=current_round(at_epa), by=assessor, grade="pass")


def test_a_confirmed_result_is_locked(at_epa, methods, assessor, epao_admin):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    round_ = confirm(at_epa, assessor)
    with refused("confirmed on .* and is locked. A change now needs an appeal"):
        results.confirm_result(round_=round_, by=assessor, grade="distinction")
    with refused("is locked"):
        _session(at_epa, methods["AM1"], assessor, number=1)
    question = AssessmentQuestion.objects.first()
    with refused("is locked"):
        services.edit_question(question=question, by=assessor, text="New", answer_notes="New")
    with refused("is locked"):
        _question(question.session, assessor)
    with refused("there is nothing to resit"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    with refused("complete; there is nothing left to assess"):
        assessors.assign_assessor(
            apprenticeship=at_epa, assessor=new_assessor(at_epa.epao), by=epao_admin
        )


# -- resits and retakes ----------------------------------------------------------------


def test_a_resit_cannot_start_before_the_result_is_confirmed(at_epa, methods, assessor):
    with refused("first attempt has not started yet"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    record_method(at_epa, methods["AM1"], assessor, grade="fail")
    with refused("Confirm the result of the first attempt first"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    record_method(at_epa, methods["AM2"], assessor, grade="pass")
    confirm(at_epa, assessor)
    with refused("Choose a resit or a retake"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="first")
    with refused("Start a resit or retake to assess the failed method again"):
        _session(at_epa, methods["AM1"], assessor)


def test_exceptional_circumstances_are_refused_where_they_do_not_apply(
    at_epa, methods, assessor, epao_admin
):
    record_method(at_epa, methods["AM1"], assessor, grade="fail")
    first = current_round(at_epa)
    with refused("This is the first attempt, which has no cap"):
        results.record_exceptional_circumstances(round_=first, by=epao_admin, reason="Ill.")
    record_method(at_epa, methods["AM2"], assessor, grade="pass")
    confirm(at_epa, assessor)
    resit = results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    with refused("Say what the exceptional circumstances are"):
        results.record_exceptional_circumstances(round_=resit, by=epao_admin, reason="  ")
    results.record_exceptional_circumstances(round_=resit, by=epao_admin, reason="Ill.")
    with refused("already recorded"):
        results.record_exceptional_circumstances(round_=resit, by=epao_admin, reason="Again.")
    event = AuditEvent.objects.get(action="epa.exceptional_circumstances")
    assert (event.actor, event.after) == (epao_admin, {"reason": "Ill."})
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    confirm(at_epa, assessor)
    resit.refresh_from_db()
    with refused("is locked"):
        results.record_exceptional_circumstances(round_=resit, by=epao_admin, reason="Late.")


# -- appeals ---------------------------------------------------------------------------


def test_appeals_change_a_locked_result_only_through_a_decision(
    at_epa, methods, assessor, epao_admin
):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="pass")
    round_ = confirm(at_epa, assessor)
    appeal = results.record_appeal(
        round_=round_, by=epao_admin, raised_by="apprentice", reason="The discussion ran short."
    )
    assert appeal.grade_before == "pass"
    with refused("already waiting for a decision"):
        results.record_appeal(round_=round_, by=epao_admin, raised_by="employer", reason="x")
    with refused("leaves the grade as it was"):
        results.decide_appeal(
            appeal=appeal, by=epao_admin, upheld=False, grade_after="distinction", decision="No."
        )
    with refused("Choose the overall grade after the appeal"):
        results.decide_appeal(
            appeal=appeal, by=epao_admin, upheld=True, grade_after="merit", decision="Yes."
        )
    with refused("Write the decision"):
        results.decide_appeal(
            appeal=appeal, by=epao_admin, upheld=True, grade_after="distinction", decision=""
        )
    results.decide_appeal(
        appeal=appeal,
        by=epao_admin,
        upheld=True,
        grade_after="distinction",
        decision="The recording shows distinction-level answers on every theme.",
    )
    round_.refresh_from_db()
    assert (round_.confirmed_grade, round_.overall_grade) == ("pass", "distinction")
    event = AuditEvent.objects.get(action="epa.appeal_decided")
    assert event.before == {"outcome": "open", "overall_grade": "pass"}
    assert event.after["overall_grade"] == "distinction"
    assert event.actor == epao_admin
    with refused("already been decided"):
        results.decide_appeal(
            appeal=appeal, by=epao_admin, upheld=False, grade_after="", decision="Again."
        )


def test_an_upheld_appeal_that_passes_a_fail_completes_the_apprenticeship(
    at_epa, methods, assessor, epao_admin
):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    round_ = confirm(at_epa, assessor)
    with refused("Say who is appealing"):
        results.record_appeal(round_=round_, by=epao_admin, raised_by="nobody", reason="x")
    appeal = results.record_appeal(
        round_=round_, by=epao_admin, raised_by="provider", reason="Wrong theme marked."
    )
    with refused("An appeal against this result is waiting for a decision"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    results.decide_appeal(
        appeal=appeal, by=epao_admin, upheld=True, grade_after="pass", decision="Agreed."
    )
    at_epa.refresh_from_db()
    assert at_epa.status == Apprenticeship.Status.COMPLETED
    with refused("nothing to resit"):
        results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")


def test_an_unconfirmed_result_and_an_earlier_attempt_cannot_be_appealed(
    at_epa, methods, assessor, epao_admin
):
    record_method(at_epa, methods["AM1"], assessor, grade="fail")
    with refused("Only a confirmed result can be appealed"):
        results.record_appeal(
            round_=current_round(at_epa), by=epao_admin, raised_by="apprentice", reason="x"
        )
    record_method(at_epa, methods["AM2"], assessor, grade="pass")
    first = confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind="retake")
    with refused("only the latest result can be appealed"):
        results.record_appeal(round_=first, by=epao_admin, raised_by="apprentice", reason="x")
