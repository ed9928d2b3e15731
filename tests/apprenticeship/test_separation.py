"""Separation of duties: one person acts for one party (apprentice, provider, employer,
assessment organisation) on an apprenticeship."""

import pytest
from django.urls import reverse

from apprenticeship import separation
from apprenticeship import services as services
from apprenticeship.models import Membership, Role
from audit.models import AuditEvent
from tests import factories


def _also_works_for(user, organisation, *, is_admin=False):
    factories.OrganisationMembershipFactory(user=user, organisation=organisation, is_admin=is_admin)


@pytest.mark.parametrize("persona", ["tutor", "admin"])
def test_the_providers_people_cannot_be_employer_contacts(personas, persona):
    a = personas["apprenticeship"]
    person = personas[persona]
    _also_works_for(person, a.employer)  # even with a job at the employer too
    with pytest.raises(services.EnrolmentError, match="works for the training provider|tutor"):
        services.add_member(apprenticeship=a, user=person, role=Role.EMPLOYER, by=personas["admin"])
    assert not Membership.objects.filter(user=person, role=Role.EMPLOYER).exists()
    assert not AuditEvent.objects.filter(action="membership.added").exists()


def test_an_employer_contact_cannot_become_the_tutor(personas):
    a = personas["apprenticeship"]
    employer = personas["employer"]
    _also_works_for(employer, a.provider)
    with pytest.raises(services.EnrolmentError, match="employer contact, so they cannot"):
        services.add_member(apprenticeship=a, user=employer, role=Role.TUTOR, by=personas["admin"])
    assert not Membership.objects.filter(user=employer, role=Role.TUTOR).exists()


def test_an_assessor_cannot_become_the_tutor_or_employer_contact(personas):
    a = personas["apprenticeship"]
    assessor = personas["assessor"]
    _also_works_for(assessor, a.provider)
    _also_works_for(assessor, a.employer)
    for role in (Role.TUTOR, Role.EMPLOYER):
        with pytest.raises(services.EnrolmentError, match="assessor"):
            services.add_member(apprenticeship=a, user=assessor, role=role, by=personas["admin"])


def test_a_tutor_who_also_administers_the_provider_acts_for_one_party(personas):
    a = personas["apprenticeship"]
    admin = personas["admin"]
    assert separation.role_conflicts(a, admin, Role.TUTOR) == []
    services.add_member(apprenticeship=a, user=admin, role=Role.TUTOR, by=admin)
    assert Membership.objects.filter(user=admin, role=Role.TUTOR, is_active=True).exists()


def test_an_ordinary_employer_contact_has_no_conflict(personas):
    a = personas["apprenticeship"]
    colleague = factories.UserFactory(full_name="Casey Colleague")
    _also_works_for(colleague, a.employer)
    assert separation.role_conflicts(a, colleague, Role.EMPLOYER) == []
    assert separation.parties_of(a, personas["employer"]) == {
        separation.EMPLOYER: "is the apprenticeship's employer contact"
    }


def test_the_page_says_why_and_changes_nothing(client, personas):
    a = personas["apprenticeship"]
    _also_works_for(personas["tutor"], a.employer)
    client.force_login(personas["admin"])
    url = reverse("apprenticeship:member-add", args=[a.pk, "employer"])
    response = client.post(url, {"user": personas["tutor"].email})
    assert response.status_code == 200
    page = response.content.decode()
    assert "each party to an apprenticeship must be someone different" in page
    assert not Membership.objects.filter(user=personas["tutor"], role=Role.EMPLOYER).exists()
