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
from tests.helpers.epa import confirm, record_method, record_resit_policy


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
        {
            "number": 2,
            "kind": "resit",
            "methods": ["AM2"],
            "why_these_methods": "Only the failed methods are assessed again. Neither the "
            "assessment plan nor the assessment organisation states this; it is what this app "
            "does until the organisation records its policy.",
        },
    )
    assert first.actor == second.actor == assessor
    assert list(resit.method_assessments.values_list("method__code", flat=True)) == ["AM2"]
    # Only the first attempt moves the apprenticeship into end-point assessment.
    (status,) = _events("apprenticeship.status_changed")
    assert status.after == {"status": "epa"}


def test_a_capped_resit_says_whose_cap_it_was_in_the_history(at_epa, methods, assessor):
    policy = record_resit_policy(at_epa, cap="pass")
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    started = results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    assert started.resit_policy == policy
    assert _events("epa.round_started")[-1].after["resit_policy"] == {
        "id": policy.pk,
        "name": "Resit and retake policy, version 2",
    }
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirm(at_epa, assessor)
    last = _events("epa.result_confirmed")[-1]
    when = f"{timezone.localtime(policy.recorded_at):%-d %B %Y}"
    basis = (
        f"Capped at pass by {at_epa.epao.name}'s policy \u201cResit and retake policy, "
        f"version 2\u201d, recorded by {policy.recorded_by.full_name} on {when}."
    )
    assert (
        last.summary
        == (
            "Confirmed the end-point assessment result: pass (the grade table gives "
            f"distinction. {basis})"[:300]
        )
    )
    assert last.after["cap_basis"] == basis


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


def test_a_published_maximum_window_runs_from_gateway_and_can_be_breached():
    gateway = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)

    def window(**kwargs):
        return epa_window(gateway_passed_at=gateway, months=3, is_maximum=True, **kwargs)

    on_time = window(today=dt.date(2026, 4, 30))
    assert (on_time.start, on_time.end) == (dt.date(2026, 1, 31), dt.date(2026, 4, 30))
    assert (on_time.days_left, on_time.breached, on_time.is_open) == (0, False, True)
    late = window(today=dt.date(2026, 5, 3))
    assert (late.breached, late.days_over) == (True, 3)
    assert not window(completed_on=dt.date(2026, 4, 1), today=dt.date(2026, 9, 1)).breached
    done_late = window(completed_on=dt.date(2026, 5, 10), today=dt.date(2026, 9, 1))
    assert (done_late.breached, done_late.days_over) == (True, 10)
    assert epa_window(gateway_passed_at=None, months=3) is None
    assert epa_window(gateway_passed_at=gateway, months=None) is None


def test_a_typical_period_is_guidance_and_never_breached():
    # SRC-PIER gives ST0896's period as typical ("3 months EPA"); no maximum is published.
    gateway = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)
    late = epa_window(gateway_passed_at=gateway, months=3, today=dt.date(2026, 5, 6))
    assert (late.day, late.past_end, late.beyond_typical, late.days_over) == (95, True, True, 6)
    assert not late.breached
    done = epa_window(
        gateway_passed_at=gateway, months=3, completed_on=dt.date(2026, 3, 2), today=late.today
    )
    assert (done.day, done.beyond_typical, done.breached) == (30, False, False)


def test_the_record_says_a_typical_period_has_passed_without_a_breach(at_epa, plan, assessor):
    with time_machine.travel(timezone.now() + dt.timedelta(days=120)):
        record = assessment_record(at_epa, assessor)
    assert record.window.months == plan.epa_window_months
    assert record.window.beyond_typical and not record.window.breached


def test_the_record_flags_a_breach_when_the_plan_publishes_a_maximum(at_epa, plan, assessor):
    plan.epa_window_is_maximum = True
    plan.facts = {**plan.facts, "epaWindowIsMaximum": {"provenance": "verified"}}
    plan.save(update_fields=["epa_window_is_maximum", "facts"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=120)):
        record = assessment_record(at_epa, assessor)
    assert record.window.is_maximum and record.window.breached


def test_an_inferred_maximum_is_not_a_deadline(at_epa, plan, assessor):
    plan.epa_window_is_maximum = True
    plan.facts = {**plan.facts, "epaWindowIsMaximum": {"provenance": "inferred"}}
    plan.save(update_fields=["epa_window_is_maximum", "facts"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=120)):
        record = assessment_record(at_epa, assessor)
    assert not record.window.is_maximum and not record.window.breached


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
