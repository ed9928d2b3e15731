"""The overview's list of a provider admin's apprenticeships (the providers' ids written
into the query) is exactly the admin's role scope, with a second provider beside it."""

import pytest

from apprenticeship import access
from apprenticeship.models import Role
from tests import factories


@pytest.mark.django_db
def test_the_providers_apprenticeships_are_the_admins_scope():
    ours, theirs, left = (factories.ApprenticeshipFactory() for _ in range(3))
    admin = factories.UserFactory()
    factories.OrganisationMembershipFactory(user=admin, organisation=ours.provider, is_admin=True)
    # Admin once, no longer; and a member of another provider who is not its admin.
    factories.OrganisationMembershipFactory(
        user=admin, organisation=left.provider, is_admin=True, is_active=False
    )
    factories.OrganisationMembershipFactory(user=admin, organisation=theirs.provider)
    providers = list(access.administered_providers(admin))
    assert set(access.apprenticeships_of(providers)) == {ours}
    assert set(access.apprenticeships_of(providers)) == set(
        access.apprenticeships_as(admin, Role.ADMIN)
    )
