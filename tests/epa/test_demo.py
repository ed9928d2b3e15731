import io

import pytest
from django.core.management import call_command

from apprenticeship.models import Apprenticeship
from audit.models import AuditEvent
from epa.models import AssessmentQuestion, AssessmentRound, ConflictDeclaration
from epa.services import records


@pytest.mark.django_db
def test_seed_demo_shows_every_stage_of_the_end_point_assessment_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "epao.admin@example.org" in out.getvalue()

    def stage(email):
        return Apprenticeship.objects.get(apprentice__email=email)

    waiting = stage("lena.kowalski@example.org")
    assert waiting.status == Apprenticeship.Status.GATEWAY
    assert records.assessment_summary(waiting).state == "Waiting for an assessor"

    mid = stage("marcus.bell@example.org")
    assert mid.status == Apprenticeship.Status.EPA
    assert records.assessment_summary(mid).state == "First attempt: 1 of 2 methods graded"

    distinction = stage("aisha.rahman@example.org")
    assert distinction.status == Apprenticeship.Status.COMPLETED
    assert records.assessment_summary(distinction).state == "Completed: distinction"

    resit = stage("tom.walsh@example.org")
    first, second = AssessmentRound.objects.filter(apprenticeship=resit).order_by("number")
    assert (first.overall_grade, second.kind, second.overall_grade) == ("fail", "resit", "pass")
    assert second.cap_applied and second.table_grade == "distinction"
    assert sorted(second.grades) == ["AM1", "AM2"] and second.grades["AM1"]["round"] == 1
    assert records.assessment_summary(resit).window.breached

    assert AuditEvent.objects.filter(action="epa.result_confirmed").count() == 3
    counts = (
        AssessmentRound.objects.count(),
        AssessmentQuestion.objects.count(),
        ConflictDeclaration.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        AssessmentRound.objects.count(),
        AssessmentQuestion.objects.count(),
        ConflictDeclaration.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
