"""Independence: one check, used when an assessor is assigned and every time anything is
recorded. Each kind of conflict is refused, also when the assignment was forced past the
form (a Membership row made directly)."""

import pytest
from django.utils import timezone

from apprenticeship.models import Membership, OrganisationMembership, Role
from audit.models import AuditEvent
from epa.errors import EpaError
from epa.models import AssessmentSession, ConflictDeclaration, MethodAssessment
from epa.selectors import assessment as selectors
from epa.services import assessment as services
from epa.services import assessors, results
from tests import factories
from tests.helpers.epa import assign, new_assessor, pass_gateway, record_method


def _ended(row):
    row.is_active = False
    row.save(update_fields=["is_active"])
    return row


def conflict_is_apprentice(a):
    user = a.apprentice
    factories.OrganisationMembershipFactory(user=user, organisation=a.epao)
    return user, "is the apprentice"


def conflict_is_tutor(a):
    user = new_assessor(a.epao)
    factories.MembershipFactory(apprenticeship=a, user=user, role=Role.TUTOR)
    return user, "is or was the apprentice's tutor"


def conflict_was_tutor(a):
    user = new_assessor(a.epao)
    _ended(factories.MembershipFactory(apprenticeship=a, user=user, role=Role.TUTOR))
    return user, "is or was the apprentice's tutor"


def conflict_is_employer_contact(a):
    user = new_assessor(a.epao)
    factories.MembershipFactory(apprenticeship=a, user=user, role=Role.EMPLOYER)
    return user, "is or was the apprentice's employer contact"


def conflict_was_employer_contact(a):
    user = new_assessor(a.epao)
    _ended(factories.MembershipFactory(apprenticeship=a, user=user, role=Role.EMPLOYER))
    return user, "is or was the apprentice's employer contact"


def conflict_works_for_employer(a):
    user = new_assessor(a.epao)
    factories.OrganisationMembershipFactory(user=user, organisation=a.employer)
    return user, "works or worked for the employer"


def conflict_worked_for_employer(a):
    user = new_assessor(a.epao)
    _ended(factories.OrganisationMembershipFactory(user=user, organisation=a.employer))
    return user, "works or worked for the employer"


def conflict_works_for_provider(a):
    user = new_assessor(a.epao)
    factories.OrganisationMembershipFactory(user=user, organisation=a.provider)
    return user, "works or worked for the training provider"


def conflict_worked_for_provider(a):
    user = new_assessor(a.epao)
    _ended(factories.OrganisationMembershipFactory(user=user, organisation=a.provider))
    return user, "works or worked for the training provider"


def conflict_provider_admin(a):
    user = new_assessor(a.epao)
    factories.OrganisationMembershipFactory(user=user, organisation=a.provider, is_admin=True)
    return user, "works or worked for the training provider"


def conflict_not_at_the_epao(a):
    user = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=user, organisation=factories.EPAOFactory())
    return user, "does not work for the assessment organisation"


def conflict_left_the_epao(a):
    user = factories.UserFactory()
    _ended(factories.OrganisationMembershipFactory(user=user, organisation=a.epao))
    return user, "does not work for the assessment organisation"


CONFLICTS = [
    conflict_is_apprentice,
    conflict_is_tutor,
    conflict_was_tutor,
    conflict_is_employer_contact,
    conflict_was_employer_contact,
    conflict_works_for_employer,
    conflict_worked_for_employer,
    conflict_works_for_provider,
    conflict_worked_for_provider,
    conflict_provider_admin,
    conflict_not_at_the_epao,
    conflict_left_the_epao,
]


@pytest.fixture
def gateway(personas, plan):
    return pass_gateway(personas["apprenticeship"])


def test_an_independent_assessor_has_no_problems(gateway, assessor):
    assert selectors.independence_problems(gateway, assessor) == []


@pytest.mark.parametrize("conflict", CONFLICTS, ids=lambda f: f.__name__)
def test_each_kind_of_conflict_is_found(gateway, conflict):
    user, expected = conflict(gateway)
    problems = selectors.independence_problems(gateway, user)
    assert any(expected in p for p in problems), problems


def test_no_assessment_organisation_is_a_problem(gateway, assessor):
    gateway.epao = None
    gateway.save(update_fields=["epao"])
    assert selectors.independence_problems(gateway, assessor) == [
        "No end-point assessment organisation has been chosen for this apprentice."
    ]


def test_every_conflict_is_listed_at_once(gateway):
    user = factories.UserFactory(full_name="Dana Both")
    factories.MembershipFactory(apprenticeship=gateway, user=user, role=Role.TUTOR)
    factories.OrganisationMembershipFactory(user=user, organisation=gateway.provider)
    assert selectors.independence_problems(gateway, user) == [
        "Dana Both is or was the apprentice's tutor.",
        f"Dana Both works or worked for the training provider, {gateway.provider.name}.",
        f"Dana Both does not work for the assessment organisation, {gateway.epao.name}.",
    ]


@pytest.mark.parametrize("conflict", CONFLICTS, ids=lambda f: f.__name__)
def test_assigning_someone_with_a_conflict_is_refused_and_nothing_changes(
    gateway, personas, conflict, epao_admin
):
    user, expected = conflict(gateway)
    before = Membership.objects.count(), AuditEvent.objects.count()
    with pytest.raises(EpaError, match="can't be this apprentice's assessor") as error:
        assessors.assign_assessor(apprenticeship=gateway, assessor=user, by=epao_admin)
    assert expected in str(error.value)
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("conflict", CONFLICTS, ids=lambda f: f.__name__)
def test_a_forced_assignment_can_neither_declare_nor_record(gateway, methods, conflict):
    user, expected = conflict(gateway)
    assign(gateway, user)  # straight into the table, past the form and the service
    with pytest.raises(EpaError, match=expected):
        services.declare_no_conflict(apprenticeship=gateway, assessor=user)
    # Even with a declaration forced into the table too, nothing can be recorded.
    factories.ConflictDeclarationFactory(apprenticeship=gateway, assessor=user)
    with pytest.raises(EpaError, match=expected):
        services.record_session(
            apprenticeship=gateway,
            method=methods["AM1"],
            number=1,
            by=user,
            held_on=timezone.localdate(),
            duration_minutes=60,
            mode="in_person",
        )
    assert not AssessmentSession.objects.exists()


def test_a_conflict_that_arises_after_the_declaration_stops_grading_and_confirming(
    gateway, methods, assessor
):
    services.declare_no_conflict(apprenticeship=gateway, assessor=assessor)
    observation = record_method(gateway, methods["AM1"], assessor)
    # The assessor takes a job with the employer.
    factories.OrganisationMembershipFactory(user=assessor, organisation=gateway.employer)
    with pytest.raises(EpaError, match="works or worked for the employer"):
        services.grade_method(method_assessment=observation, by=assessor, grade="pass")
    observation.refresh_from_db()
    assert observation.grade == ""
    OrganisationMembership.objects.filter(user=assessor, organisation=gateway.employer).update(
        is_active=False
    )
    # Leaving the job again does not make them independent: they worked there.
    with pytest.raises(EpaError, match="works or worked for the employer"):
        services.grade_method(method_assessment=observation, by=assessor, grade="pass")


def test_a_forced_assessor_with_a_conflict_cannot_confirm_a_result(gateway, methods, assessor):
    services.declare_no_conflict(apprenticeship=gateway, assessor=assessor)
    record_method(gateway, methods["AM1"], assessor, grade="pass")
    record_method(gateway, methods["AM2"], assessor, grade="pass")
    tutor = gateway.memberships.get(role=Role.TUTOR).user
    factories.OrganisationMembershipFactory(user=tutor, organisation=gateway.epao)
    assign(gateway, tutor)
    factories.ConflictDeclarationFactory(apprenticeship=gateway, assessor=tutor)
    round_ = MethodAssessment.objects.first().round
    with pytest.raises(EpaError, match="tutor"):
        results.confirm_result(round_=round_, by=tutor, grade="pass")
    round_.refresh_from_db()
    assert not round_.is_confirmed


def test_someone_not_assigned_cannot_record_even_if_independent(gateway, methods):
    other = new_assessor(gateway.epao, full_name="Not Assigned")
    with pytest.raises(EpaError, match="Not Assigned is not assigned"):
        services.record_session(
            apprenticeship=gateway,
            method=methods["AM1"],
            number=1,
            by=other,
            held_on=timezone.localdate(),
            duration_minutes=60,
            mode="in_person",
        )


def test_an_ended_assignment_can_no_longer_record(gateway, methods, assessor, personas, epao_admin):
    services.declare_no_conflict(apprenticeship=gateway, assessor=assessor)
    membership = gateway.memberships.get(role=Role.ASSESSOR)
    assessors.remove_assessor(membership=membership, by=epao_admin, reason="On leave.")
    with pytest.raises(EpaError, match="is not assigned"):
        record_method(gateway, methods["AM1"], assessor)


def test_an_independent_assessor_is_assigned_and_it_is_in_the_history(
    gateway, personas, epao_admin
):
    user = new_assessor(gateway.epao, full_name="Robin Fairway")
    membership = assessors.assign_assessor(apprenticeship=gateway, assessor=user, by=epao_admin)
    assert (membership.role, membership.is_active) == (Role.ASSESSOR, True)
    event = AuditEvent.objects.get(action="epa.assessor_assigned")
    assert event.actor == epao_admin
    assert event.apprenticeship_id == gateway.pk
    assert event.after == {"user": user.pk, "role": Role.ASSESSOR}
    with pytest.raises(EpaError, match="already"):
        assessors.assign_assessor(apprenticeship=gateway, assessor=user, by=epao_admin)


def test_an_assessor_cannot_be_assigned_before_gateway(personas, plan, epao_admin):
    user = new_assessor(personas["apprenticeship"].epao)
    with pytest.raises(EpaError, match="once the apprentice has passed gateway"):
        assessors.assign_assessor(
            apprenticeship=personas["apprenticeship"], assessor=user, by=epao_admin
        )
    assert not Membership.objects.filter(user=user).exists()


def test_the_declaration_is_kept_with_its_wording_and_made_once(gateway, assessor):
    declaration = services.declare_no_conflict(apprenticeship=gateway, assessor=assessor)
    assert "no conflict of interest" in declaration.statement
    event = AuditEvent.objects.get(action="epa.no_conflict_declared")
    assert event.actor == assessor
    with pytest.raises(EpaError, match="You declared no conflict of interest on"):
        services.declare_no_conflict(apprenticeship=gateway, assessor=assessor)
    assert ConflictDeclaration.objects.count() == 1


def test_nothing_is_recorded_before_the_declaration(gateway, methods, assessor):
    with pytest.raises(EpaError, match="Declare that you have no conflict of interest"):
        record_method(gateway, methods["AM1"], assessor)
    assert not MethodAssessment.objects.exists()
