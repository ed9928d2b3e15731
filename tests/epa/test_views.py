"""The end-point assessment pages: the assessor records through them, the assessment
organisation's admin arranges, and every refusal shows a plain message."""

import re

import pytest
from django.urls import reverse

from apprenticeship.models import Apprenticeship, Role
from epa.models import AssessmentQuestion, AssessmentSession, ConflictDeclaration, MethodAssessment
from epa.services import assessment as services
from epa.services import results
from tests import factories
from tests.helpers.epa import (
    assign,
    confirm,
    current_round,
    new_assessor,
    pass_gateway,
    record_method,
    record_resit_policy,
)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def gateway(personas, plan):
    return pass_gateway(personas["apprenticeship"])


def test_assessor_declares_then_records_a_session_and_its_questions(
    client, gateway, methods, assessor
):
    client.force_login(assessor)
    page = text(client.get(reverse("epa:assessment", args=[gateway.pk])))
    assert "Declare that you have no conflict of interest before recording anything." in page
    assert "Record session 1" not in page
    response = client.post(reverse("epa:declaration", args=[gateway.pk]), {"no_conflict": "on"})
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(assessor=assessor).exists()

    observation = methods["AM1"]
    url = reverse("epa:session-record", args=[gateway.pk, observation.pk, 1])
    page = text(client.get(url))
    assert "By video" not in page  # session 1 is in person only, by the plan
    response = client.post(
        url,
        {
            "held_on": gateway.gateway_passed_at.date().isoformat(),
            "duration_minutes": 70,
            "mode": "in_person",
        },
    )
    session = AssessmentSession.objects.get()
    assert response["Location"] == reverse("epa:session-detail", args=[session.pk])
    response = client.post(
        reverse("epa:question-add", args=[session.pk]),
        {"question": "How did you end the conversation?", "answer_notes": "Agreed next steps."},
    )
    assert response.status_code == 302
    page = text(client.get(reverse("epa:session-detail", args=[session.pk])))
    assert "1 question</strong>; the plan asks for at least 4 after each session" in page
    assert "How did you end the conversation?" in page


def test_a_forced_video_session_is_refused_on_the_form(client, at_epa, methods, assessor):
    client.force_login(assessor)
    url = reverse("epa:session-record", args=[at_epa.pk, methods["AM1"].pk, 1])
    response = client.post(
        url,
        {
            "held_on": at_epa.gateway_passed_at.date().isoformat(),
            "duration_minutes": 60,
            "mode": "video",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not AssessmentSession.objects.exists()


def test_a_question_without_a_theme_is_refused_on_the_form(client, at_epa, methods, assessor):
    client.force_login(assessor)
    session = record_method(at_epa, methods["AM2"], assessor, questions=0).sessions.get()
    response = client.post(
        reverse("epa:question-add", args=[session.pk]),
        {"question": "What does supervision give you?", "answer_notes": "Space to reflect."},
    )
    assert response.status_code == 200
    assert "Choose which of the plan&#x27;s themes this question covers." in text(response)
    assert not AssessmentQuestion.objects.exists()


def test_the_grade_page_lists_what_is_missing_and_refuses(client, at_epa, methods, assessor):
    client.force_login(assessor)
    assessment = record_method(at_epa, methods["AM2"], assessor, questions=3)
    url = reverse("epa:method-grade", args=[assessment.pk])
    page = text(client.get(url))
    assert "3 questions recorded in all; the plan asks for at least 10." in page
    assert "No question covers these themes yet" in page
    response = client.post(url, {"grade": "pass"})
    assert "This can't be graded yet" in text(response)
    assessment.refresh_from_db()
    assert assessment.grade == ""


def test_a_grade_outside_the_options_is_refused_on_the_form(client, at_epa, methods, assessor):
    client.force_login(assessor)
    assessment = record_method(at_epa, methods["AM1"], assessor)
    response = client.post(
        reverse("epa:method-grade", args=[assessment.pk]), {"grade": "distinction"}
    )
    assert "Select a valid choice" in text(response)
    assessment.refresh_from_db()
    assert assessment.grade == ""


def test_the_record_shows_the_overall_grade_and_the_assessor_confirms_it(
    client, at_epa, methods, assessor
):
    client.force_login(assessor)
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "The plan gives <strong>Distinction</strong>" in page
    assert "Inferred, not official" in page  # the ST0896 grade table's provenance
    round_ = current_round(at_epa)
    url = reverse("epa:result-confirm", args=[round_.pk])
    assert "Overall grade from the plan's table: <strong>Distinction</strong>" in text(
        client.get(url)
    )
    response = client.post(url, {"grade": "distinction", "confirm": "on"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.overall_grade == "distinction"
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "Overall grade: <strong>Distinction</strong>" in page
    assert "Locked: a change needs an appeal." in page


def test_the_record_shows_the_plan_facts_with_their_provenance(client, at_epa, assessor):
    client.force_login(assessor)
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "2 hours 15 minutes in total, over 2 sessions" in page
    assert "May be held by video: session 2" in page
    assert "At least 4 questions after each session" in page
    assert "At least 10 questions in all" in page
    assert "Secondary source" in page
    assert (
        "Which KSBs each method assesses, and the grading descriptors, have not been loaded."
        in page
    )
    assert "Typical assessment period:" in page
    assert "typically within 3 months of gateway" in page
    assert "Today is day 10 after gateway" in page
    assert "guidance, not a deadline" in page
    assert "Window passed" not in page


def test_someone_on_the_apprenticeship_with_a_forced_assessor_role_cannot_grade(
    client, gateway, methods, personas
):
    tutor = personas["tutor"]
    factories.OrganisationMembershipFactory(user=tutor, organisation=gateway.epao)
    assign(gateway, tutor)
    factories.ConflictDeclarationFactory(apprenticeship=gateway, assessor=tutor)
    client.force_login(tutor)
    url = reverse("epa:session-record", args=[gateway.pk, methods["AM1"].pk, 1])
    response = client.get(url, follow=True)
    assert "is or was the apprentice&#x27;s tutor" in text(response)
    assert not MethodAssessment.objects.exists()


def test_the_assessment_admin_assigns_an_independent_assessor_and_is_refused_a_conflicted_one(
    client, gateway, personas, epao_admin
):
    independent = new_assessor(gateway.epao, full_name="Robin Fairway")
    conflicted = new_assessor(gateway.epao, full_name="Casey Before")
    factories.OrganisationMembershipFactory(user=conflicted, organisation=gateway.employer)
    client.force_login(epao_admin)
    url = reverse("epa:assessor-assign", args=[gateway.pk])
    page = text(client.get(url))
    assert "Robin Fairway" in page and "Casey Before" in page
    assert "Assessor" not in [o for o in page.split() if o == "Outsider"]
    response = client.post(url, {"assessor": conflicted.pk})
    assert "Casey Before works or worked for the employer" in text(response)
    assert not gateway.memberships.filter(user=conflicted).exists()
    response = client.post(url, {"assessor": independent.pk})
    assert response.status_code == 302
    assert gateway.memberships.filter(user=independent, role=Role.ASSESSOR, is_active=True).exists()


def test_the_assign_form_offers_only_people_at_the_apprenticeships_assessment_organisation(
    client, gateway, personas, epao_admin
):
    elsewhere = factories.UserFactory(full_name="Elsewhere Assessor")
    factories.OrganisationMembershipFactory(user=elsewhere, organisation=factories.EPAOFactory())
    client.force_login(epao_admin)
    url = reverse("epa:assessor-assign", args=[gateway.pk])
    assert "Elsewhere Assessor" not in text(client.get(url))
    response = client.post(url, {"assessor": elsewhere.pk})
    assert "Select a valid choice" in text(response)


def test_the_epao_admin_arranges_but_never_sees_evidence(client, gateway, epao_admin, personas):
    client.force_login(epao_admin)
    assert client.get(reverse("dashboards:home"))["Location"] == reverse("epa:epao-home")
    page = text(client.get(reverse("epa:epao-home")))
    assert personas["apprentice"].full_name in page
    assert "Assessor assigned, waiting for their declaration" in page
    detail = text(client.get(reverse("dashboards:apprenticeship-detail", args=[gateway.pk])))
    assert "Portfolio of evidence" not in detail
    assert "Assign an assessor" in detail
    assert 'href="/assessment-organisation/">End-point assessments' in detail
    for name in ("portfolio:evidence-list", "portfolio:coverage", "portfolio:testimony-list"):
        assert client.get(reverse(name, args=[gateway.pk])).status_code == 403


def test_the_epao_admin_sees_nothing_before_gateway_nor_another_organisations_apprentices(
    client, personas, plan, epao_admin
):
    client.force_login(epao_admin)
    apprenticeship = personas["apprenticeship"]
    assert (
        client.get(
            reverse("dashboards:apprenticeship-detail", args=[apprenticeship.pk])
        ).status_code
        == 404
    )
    other = factories.ApprenticeshipFactory(
        standard_version=apprenticeship.standard_version,
        provider=apprenticeship.provider,
        epao=factories.EPAOFactory(),
        status=Apprenticeship.Status.GATEWAY,
    )
    assert client.get(reverse("epa:assessment", args=[other.pk])).status_code == 404
    page = text(client.get(reverse("epa:epao-home")))
    assert "No apprentice with your organisation has passed gateway yet." in page


def test_exceptional_circumstances_and_appeals_through_the_pages(
    client, at_epa, methods, assessor, epao_admin
):
    record_resit_policy(at_epa, cap="pass", by=epao_admin)
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    resit = results.start_round(apprenticeship=at_epa, by=assessor, kind="resit")
    client.force_login(epao_admin)
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "Capped at pass" in page
    assert "Resit and retake policy, version 2" in page and "Assessment organisation policy" in page
    response = client.post(
        reverse("epa:exceptional-circumstances", args=[resit.pk]),
        {"reason": "The first attempt was cut short by a fire alarm."},
    )
    assert response.status_code == 302
    assert "Not capped" in text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    round_ = confirm(at_epa, assessor)
    assert round_.overall_grade == "distinction"
    response = client.post(
        reverse("epa:appeal-record", args=[round_.pk]),
        {"raised_by": "employer", "reason": "We think the session was too short."},
    )
    assert response.status_code == 302
    appeal = round_.appeals.get()
    response = client.post(
        reverse("epa:appeal-decide", args=[appeal.pk]),
        {"outcome": "not_upheld", "decision": "The session ran for the time the plan gives."},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.grade_after) == ("not_upheld", "distinction")
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "Not upheld" in page


def test_the_resit_page_starts_a_round_for_the_failed_method(client, at_epa, methods, assessor):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="fail")
    confirm(at_epa, assessor)
    client.force_login(assessor)
    url = reverse("epa:round-start", args=[at_epa.pk])
    page = text(client.get(url))
    discussion = "Professional discussion underpinned by a portfolio of evidence"
    assert f"{discussion}: fail, <strong>assessed again</strong>" in page
    assert client.post(url, {"kind": "retake"}).status_code == 302
    assert current_round(at_epa).kind == "retake"
    page = text(client.get(reverse("epa:assessment", args=[at_epa.pk])))
    assert "Carried over from attempt 1" in page


def test_the_apprenticeship_page_shows_the_outcome_to_everyone_on_it(
    client, at_epa, methods, assessor, personas
):
    record_method(at_epa, methods["AM1"], assessor, grade="pass")
    record_method(at_epa, methods["AM2"], assessor, grade="distinction")
    confirm(at_epa, assessor)
    for persona in ("apprentice", "employer", "tutor", "admin", "assessor"):
        client.force_login(personas[persona])
        page = text(client.get(reverse("dashboards:apprenticeship-detail", args=[at_epa.pk])))
        assert "Completed: distinction" in page, persona
        assert "First attempt: distinction, confirmed on" in page
        assert ("Assessment record" in page) == (persona == "assessor"), persona


def test_the_assessor_home_lists_assigned_apprentices_with_their_window(
    client, at_epa, assessor, personas
):
    not_assigned = factories.ApprenticeshipFactory(
        standard_version=at_epa.standard_version, epao=at_epa.epao
    )
    pass_gateway(not_assigned)
    before_gateway = factories.ApprenticeshipFactory(
        standard_version=at_epa.standard_version, epao=at_epa.epao
    )
    assign(before_gateway, assessor)
    client.force_login(assessor)
    page = text(client.get(reverse("dashboards:assessor-home")))
    assert personas["apprentice"].full_name in page
    assert not_assigned.apprentice.full_name not in page
    assert before_gateway.apprentice.full_name not in page
    assert "Typically within 3 months" in page and "day 10" in page
    assert "Outside the window" not in page
    assert "Assessor assigned, not started" in page


def test_the_epao_admin_takes_an_assessor_off_with_a_reason(client, at_epa, assessor, epao_admin):
    membership = at_epa.memberships.get(role=Role.ASSESSOR, is_active=True)
    client.force_login(epao_admin)
    url = reverse("epa:assessor-remove", args=[membership.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    response = client.post(url, {"reason": "Not available in the window."})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_active, membership.ended_reason) == (
        False,
        "Not available in the window.",
    )
    client.force_login(assessor)
    assert client.get(reverse("epa:assessment", args=[at_epa.pk])).status_code == 404
    assert client.get(url).status_code == 404


def test_the_declaration_page_shows_a_conflict_instead_of_the_box(client, gateway, personas):
    conflicted = new_assessor(gateway.epao)
    factories.OrganisationMembershipFactory(user=conflicted, organisation=gateway.provider)
    assign(gateway, conflicted)
    client.force_login(conflicted)
    page = text(client.get(reverse("epa:declaration", args=[gateway.pk])))
    assert "Our records show a conflict" in page
    assert "works or worked for the training provider" in page
    assert 'name="no_conflict"' not in page
    response = client.post(reverse("epa:declaration", args=[gateway.pk]), {"no_conflict": "on"})
    assert "Our records show a conflict" in text(response)
    assert not ConflictDeclaration.objects.filter(assessor=conflicted).exists()


def test_a_question_is_corrected_through_its_page(client, at_epa, methods, assessor):
    session = record_method(at_epa, methods["AM1"], assessor, questions=1).sessions.first()
    question = session.questions.get()
    client.force_login(assessor)
    url = reverse("epa:question-edit", args=[question.pk])
    assert question.question in text(client.get(url))
    response = client.post(url, {"question": "What helped?", "answer_notes": "The group."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.question, question.answer_notes) == ("What helped?", "The group.")


def test_notes_against_ksbs_where_the_plan_maps_them(client, personas, standard_version, assessor):
    from tests.helpers.epa import add_plan, three_method_plan_data

    plan = add_plan(standard_version, three_method_plan_data())
    apprenticeship = pass_gateway(personas["apprenticeship"])
    services.declare_no_conflict(apprenticeship=apprenticeship, assessor=assessor)
    tm1 = plan.methods.get(code="TM1")
    assessment = record_method(apprenticeship, tm1, assessor, questions=2)
    client.force_login(assessor)
    url = reverse("epa:ksb-notes", args=[assessment.pk])
    page = text(client.get(url))
    s1, s2 = tm1.ksbs.order_by("number")
    assert f"{s1.code}: {s1.text}" in page and f"{s2.code}: {s2.text}" in page
    response = client.post(url, {f"ksb_{s1.pk}": "Clear boundaries.", f"ksb_{s2.pk}": ""})
    assert response.status_code == 302
    # A changed note is saved; an empty box keeps the note that was there.
    assert dict(assessment.ksb_notes.values_list("ksb__code", "note")) == {
        s1.code: "Clear boundaries.",
        s2.code: f"Seen in session 1: {s2.code}.",
    }
