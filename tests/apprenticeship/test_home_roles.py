"""The roles a person holds anywhere (the navigation and each home page read them)."""

import pytest

from apprenticeship import access
from apprenticeship.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_reason_to_hold_a_role():
    apprenticeship = factories.ApprenticeshipFactory()
    tutor, employer, assessor = (factories.UserFactory() for _ in range(3))
    for user, role in ((tutor, Role.TUTOR), (employer, Role.EMPLOYER), (assessor, Role.ASSESSOR)):
        factories.MembershipFactory(apprenticeship=apprenticeship, user=user, role=role)
    provider_admin = factories.OrganisationMembershipFactory(
        organisation=apprenticeship.provider, is_admin=True
    ).user
    provider_member = factories.OrganisationMembershipFactory(
        organisation=apprenticeship.provider
    ).user
    employer_admin = factories.OrganisationMembershipFactory(
        organisation=apprenticeship.employer, is_admin=True
    ).user
    epao = factories.EPAOFactory()
    epao_member = factories.OrganisationMembershipFactory(organisation=epao).user
    epao_admin = factories.OrganisationMembershipFactory(organisation=epao, is_admin=True).user
    moderator = factories.OrganisationMembershipFactory(organisation=epao, is_moderator=True).user

    assert access.home_roles(apprenticeship.apprentice) == {Role.APPRENTICE}
    assert access.home_roles(tutor) == {Role.TUTOR}
    assert access.home_roles(employer) == {Role.EMPLOYER}
    assert access.home_roles(assessor) == {Role.ASSESSOR}
    assert access.home_roles(provider_admin) == {Role.ADMIN}
    assert access.home_roles(provider_member) == frozenset()
    assert access.home_roles(employer_admin) == frozenset()
    # Working for an assessment organisation is enough for the assessor's home.
    assert access.home_roles(epao_member) == {Role.ASSESSOR}
    assert access.home_roles(epao_admin) == {Role.ASSESSOR, Role.EPAO_ADMIN}
    assert access.home_roles(moderator) == {Role.ASSESSOR, Role.MODERATOR}


def test_several_roles_and_ended_ones():
    tutor = factories.UserFactory()
    own = factories.ApprenticeshipFactory(apprentice=tutor)
    for _ in range(3):
        factories.MembershipFactory(user=tutor, role=Role.TUTOR)
    ended = factories.MembershipFactory(user=tutor, role=Role.EMPLOYER, is_active=False)
    factories.OrganisationMembershipFactory(
        user=tutor, organisation=own.provider, is_admin=True, is_active=False
    )
    assert ended.role == Role.EMPLOYER
    assert access.home_roles(tutor) == {Role.APPRENTICE, Role.TUTOR}
