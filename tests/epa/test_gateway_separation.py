"""The employer's and the provider's gateway confirmations come from two different people,
each acting for the party they confirm for, checked at the moment of confirming (roles and
jobs can change after they were given)."""

import pytest
from django.urls import reverse

from apprenticeship.models import Role
from epa.models import GatewayDeclaration
from epa.services import gateway as services
from epa.services.gateway import GatewayError
from tests import factories

EMPLOYER, PROVIDER = GatewayDeclaration.Party.EMPLOYER, GatewayDeclaration.Party.PROVIDER


def test_an_employer_contact_who_has_since_joined_the_provider_cannot_confirm(ready, personas):
    # Changed underneath: the employer contact now also works for the provider.
    factories.OrganisationMembershipFactory(user=personas["employer"], organisation=ready.provider)
    with pytest.raises(GatewayError, match="works for the training provider"):
        services.declare(
            apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
        )
    assert not GatewayDeclaration.objects.exists()


def test_a_tutor_made_employer_contact_underneath_cannot_confirm_for_either(ready, personas):
    tutor = personas["tutor"]
    factories.OrganisationMembershipFactory(user=tutor, organisation=ready.employer)
    factories.MembershipFactory(apprenticeship=ready, user=tutor, role=Role.EMPLOYER)
    for party in (EMPLOYER, PROVIDER):
        with pytest.raises(GatewayError, match="each party to an apprenticeship"):
            services.declare(apprenticeship=ready, party=party, by=tutor, confirmed=True)
    assert not GatewayDeclaration.objects.exists()


def test_the_same_person_cannot_make_both_confirmations(ready, personas):
    person = personas["employer"]
    services.declare(apprenticeship=ready, party=EMPLOYER, by=person, confirmed=True)
    # Later they leave the employer contact role and the employer, and join the provider.
    ready.memberships.filter(user=person, role=Role.EMPLOYER).update(is_active=False)
    person.org_memberships.filter(organisation=ready.employer).update(is_active=False)
    factories.OrganisationMembershipFactory(user=person, organisation=ready.provider, is_admin=True)
    with pytest.raises(GatewayError, match="two different people"):
        services.declare(apprenticeship=ready, party=PROVIDER, by=person, confirmed=True)
    assert GatewayDeclaration.objects.filter(party=PROVIDER).count() == 0


def test_an_employer_contact_who_left_the_employer_cannot_confirm(ready, personas):
    personas["employer"].org_memberships.filter(organisation=ready.employer).update(is_active=False)
    with pytest.raises(GatewayError, match="not, now, an employer contact"):
        services.declare(
            apprenticeship=ready, party=EMPLOYER, by=personas["employer"], confirmed=True
        )


def test_the_page_says_why_and_records_nothing(client, ready, personas):
    factories.OrganisationMembershipFactory(user=personas["employer"], organisation=ready.provider)
    client.force_login(personas["employer"])
    response = client.post(
        reverse("epa:gateway-declare", args=[ready.pk, EMPLOYER]), {"confirmed": "on"}
    )
    assert response.status_code == 200
    assert "Nothing was confirmed" in response.content.decode()
    assert not GatewayDeclaration.objects.exists()
