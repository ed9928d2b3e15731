"""Two assessors recording at the same moment are taken one after the other: one grade per
attempt, one first round, whatever the timing."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from epa.errors import EpaError
from epa.models import AssessmentRound, MethodAssessment
from epa.services import assessment as services
from tests.helpers.epa import assign, new_assessor, record_method

# Real concurrency needs PostgreSQL's row locks; SQLite runs one writer at a time.
pytestmark = pytest.mark.postgres_only


def _race(*calls):
    start = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("done")
        except EpaError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def two_assessors(at_epa, assessor):
    second = new_assessor(at_epa.epao, full_name="Second Assessor")
    assign(at_epa, second)
    services.declare_no_conflict(apprenticeship=at_epa, assessor=second)
    return assessor, second


@pytest.mark.django_db(transaction=True)
def test_two_grades_racing_for_the_same_attempt_give_exactly_one(at_epa, methods, two_assessors):
    first, second = two_assessors
    observation = record_method(at_epa, methods["AM1"], first)
    outcomes = _race(
        lambda: services.grade_method(method_assessment=observation, by=first, grade="pass"),
        lambda: services.grade_method(method_assessment=observation, by=second, grade="fail"),
    )
    assert outcomes.count("done") == 1
    assert any("A second grade can't be given for the same attempt" in o for o in outcomes)
    observation.refresh_from_db()
    assert observation.grade in ("pass", "fail")


@pytest.mark.django_db(transaction=True)
def test_two_first_sessions_at_once_start_one_assessment(at_epa, methods, two_assessors):
    first, second = two_assessors

    def session(by, method):
        return lambda: services.record_session(
            apprenticeship=at_epa,
            method=method,
            number=1,
            by=by,
            held_on=timezone.localdate(),
            duration_minutes=60,
            mode="in_person",
        )

    outcomes = _race(session(first, methods["AM1"]), session(second, methods["AM2"]))
    assert outcomes == ["done", "done"]
    assert AssessmentRound.objects.filter(apprenticeship=at_epa).count() == 1
    assert MethodAssessment.objects.count() == 2
