"""The assessment's life cycle through the services: status changes, what the history
keeps, questions and notes, and the read-side summaries."""

import datetime as dt

import time_machine
from django.utils import timezone

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from epa.grading import epa_window
from epa.models import AssessmentRound
from epa.selectors.record import assessment_record
from epa.selectors.summary import assessment_summary
from epa.services import assessment as services
from epa.services import results
from tests.helpers.epa import confirm, record_method


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("at", "pk"))


def test_the_first_session_starts_the_assessment_and_moves_the_apprenticeship_into_epa(
    at_epa, methods, assessor
):
    assert at_epa.status == Apprenticeship.Status.GATEWAY
    services.record_session(
        apprenticeship=at_epa,
        method=methods["AM2"],
        number=1,
        by=assessor,
        held_on=timezone.localdate(),
        duration_minutes=75,
        mode="video",
    )
    at_epa.refresh_from_db()
    assert at_epa.status == Apprenticeship.Status.EPA
    (round_,) = AssessmentRound.objects.filter(apprenticeship=at_epa)
    assert (round_.number, round_.kind) == (1, AssessmentRound.Kind.FIRST)
    assert sorted(round_.method_assessments.values_list("method__code", flat=True)) == [
        "AM1",
        "AM2",
    ]
    (status,) = _events("apprenticeship.status_changed")
    assert (status.before, status.after) == ({"status": "gateway"}, {"status": "epa"})
    assert status.actor == assessor
    assert _events("epa.round_started")[0].after["methods"] == ["AM1", "AM2"]


def test_every_grade_and_the_confirmation_are_in_the_history_and_complete_it(
    at_epa, methods, assessor
):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirm(at_epa, assessor)
    graded = _events("epa.method_graded")
    assert [e.after["grade"] for e in graded] == ["pass", "distinction"]
    # The summary the apprentice's history shows does not give the grade away early.
    assert all("pass" not in e.summary and "distinction" not in e.summary for e in graded)
    (confirmed,) = _events("epa.result_confirmed")
    assert confirmed.summary == "Confirmed the end-point assessment result: distinction"
    assert confirmed.after["overall_grade"] == "distinction"
    assert confirmed.actor == assessor
    at_epa.refresh_from_db()
    assert at_epa.status == Apprenticeship.Status.COMPLETED
    assert _events("apprenticeship.status_changed")[-1].after == {"status": "completed"}


def test_the_first_attempt_and_a_resit_start_alike_in_the_history(at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    resit = results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    first, second = _events("epa.round_started")
    assert (first.summary, first.after) == (
        "The end-point assessment started",
        {"number": 1, "kind": "first", "methods": ["AM1", "AM2"]},
    )
    assert (second.summary, second.after) == (
        f"Resit started: {methods['AM2'].name}",
        {"number": 2, "kind": "resit", "methods": ["AM2"]},
    )
    assert first.actor == second.actor == assessor
    assert list(resit.method_assessments.values_list("method__code", flat=True)) == ["AM2"]
    # Only the first attempt moves the apprenticeship into end-point assessment.
    (status,) = _events("apprenticeship.status_changed")
    assert status.after == {"status": "epa"}


def test_a_capped_resit_says_so_in_the_history(at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirm(at_epa, assessor)
    last = _events("epa.result_confirmed")[-1]
    assert last.summary == (
        "Confirmed the end-point assessment result: pass (the grade table gives distinction; "
        "a resit is capped at pass)"
    )


def test_questions_are_numbered_and_corrections_keep_what_they_said(at_epa, methods, assessor):
    session = services.record_session(
        apprenticeship=at_epa,
        method=methods["AM1"],
        number=1,
        by=assessor,
        held_on=timezone.localdate(),
        duration_minutes=70,
        mode="in_person",
    )
    first = services.add_question(
        session=session, by=assessor, question="Why peer work?", answer_notes="Own recovery."
    )
    second = services.add_question(
        session=session, by=assessor, question="What is a boundary?", answer_notes="Safety."
    )
    assert (first.number, second.number) == (1, 2)
    services.edit_question(
        question=first, by=assessor, text="Why peer work?", answer_notes="Own recovery, hope."
    )
    (changed,) = _events("epa.question_changed")
    assert changed.before["answer_notes"] == "Own recovery."
    assert changed.after["answer_notes"] == "Own recovery, hope."
    # Saving the same again changes nothing and adds nothing to the history.
    services.edit_question(
        question=first, by=assessor, text="Why peer work?", answer_notes="Own recovery, hope."
    )
    assert len(_events("epa.question_changed")) == 1


def test_correcting_a_session_keeps_the_old_values_in_the_history(at_epa, methods, assessor):
    kwargs = {
        "apprenticeship": at_epa,
        "method": methods["AM1"],
        "number": 2,
        "by": assessor,
        "held_on": timezone.localdate(),
        "mode": "video",
    }
    session = services.record_session(duration_minutes=60, **kwargs)
    again = services.record_session(duration_minutes=65, **kwargs)
    assert again.pk == session.pk
    assert again.duration_minutes == 65
    (changed,) = _events("epa.session_changed")
    assert (changed.before["duration_minutes"], changed.after["duration_minutes"]) == (60, 65)


def test_the_epa_window_runs_from_gateway_for_the_plans_months():
    gateway = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)
    window = epa_window(gateway_passed_at=gateway, months=3, today=dt.date(2026, 4, 30))
    assert (window.start, window.end) == (dt.date(2026, 1, 31), dt.date(2026, 4, 30))
    assert (window.days_left, window.breached, window.is_open) == (0, False, True)
    late = epa_window(gateway_passed_at=gateway, months=3, today=dt.date(2026, 5, 3))
    assert (late.breached, late.days_over) == (True, 3)
    done_in_time = epa_window(
        gateway_passed_at=gateway,
        months=3,
        completed_on=dt.date(2026, 4, 1),
        today=dt.date(2026, 9, 1),
    )
    assert not done_in_time.breached
    done_late = epa_window(
        gateway_passed_at=gateway,
        months=3,
        completed_on=dt.date(2026, 5, 10),
        today=dt.date(2026, 9, 1),
    )
    assert (done_late.breached, done_late.days_over) == (True, 10)
    assert epa_window(gateway_passed_at=None, months=3) is None
    assert epa_window(gateway_passed_at=gateway, months=None) is None


def test_the_record_flags_a_breached_window(at_epa, plan, assessor):
    with time_machine.travel(timezone.now() + dt.timedelta(days=120)):
        record = assessment_record(at_epa, assessor)
    assert record.window.months == plan.epa_window_months
    assert record.window.breached


def test_the_summary_says_where_the_assessment_has_got_to(at_epa, methods, assessor):
    summary = assessment_summary(at_epa)
    assert summary.state == "Assessor assigned, not started"
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    assert assessment_summary(at_epa).state == "First attempt: 1 of 2 methods graded"
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    assert assessment_summary(at_epa).state == (
        "First attempt: every method graded, waiting for the assessor to confirm the result"
    )
    confirm(at_epa, assessor)
    at_epa.refresh_from_db()
    assert assessment_summary(at_epa).state == (
        "First attempt: fail. A resit or retake can be started."
    )
    results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    assert assessment_summary(at_epa).state == "Resit: 0 of 1 method graded"
    record_method(at_epa, methods["AM2"], assessor, grade="pass")
    confirm(at_epa, assessor)
    at_epa.refresh_from_db()
    summary = assessment_summary(at_epa)
    assert summary.state == "Completed: pass"
    assert [r.overall_grade for r in summary.results] == ["fail", "pass"]


def test_the_summary_is_empty_before_gateway_and_waits_for_an_assessor(personas, plan):
    apprenticeship = personas["apprenticeship"]
    assert assessment_summary(apprenticeship) is None
    apprenticeship.memberships.filter(role="assessor").update(is_active=False)
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.save()
    assert assessment_summary(apprenticeship).state == "Waiting for an assessor"


def test_the_record_carries_over_passed_methods_into_a_resit(at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    record = assessment_record(at_epa, assessor)
    current = record.current
    assert current.round.kind == "resit"
    observation, discussion = current.methods
    assert observation.assessment is None
    assert (observation.carried.grade, observation.carried.round_number) == ("pass", 1)
    assert discussion.assessment is not None and discussion.carried is None
    assert "Record the session." in discussion.problems
