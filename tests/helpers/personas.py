"""The people of the personas fixture: an apprentice on the ST0896 test standard with
their employer contact, tutor and assessor, their provider's admin, and an outsider who is
admin and tutor at another provider."""

from apprenticeship.models import Apprenticeship, Organisation, Role
from standards.models import StandardVersion
from tests import factories

PERSONAS = ("apprentice", "employer", "tutor", "assessor", "admin", "outsider")


def make_standard_version() -> StandardVersion:
    """A small ST0896 with three duties and three KSBs."""
    version = factories.StandardVersionFactory(reference="ST0896", title="Peer worker")
    for number in range(1, 4):
        factories.DutyFactory(standard_version=version, number=number)
    for number in range(1, 4):
        factories.KSBFactory(standard_version=version, number=number)
    return version


def make_provider() -> Organisation:
    return factories.ProviderFactory(name="Northfield Peer Training")


def make_employer_org(provider: Organisation) -> Organisation:
    return factories.EmployerFactory(name="Riverside Service", managed_by=provider)


def make_epao(provider: Organisation) -> Organisation:
    return factories.EPAOFactory(name="Fairway EPA", managed_by=provider)


def make_personas(
    *,
    standard_version: StandardVersion | None = None,
    provider: Organisation | None = None,
    employer_org: Organisation | None = None,
    epao: Organisation | None = None,
) -> dict:
    """Users by persona name, with `apprenticeship` (theirs) and `other_apprenticeship`
    (the outsider's). Makes the standard and organisations not given."""
    standard_version = standard_version or make_standard_version()
    provider = provider or make_provider()
    employer_org = employer_org or make_employer_org(provider)
    epao = epao or make_epao(provider)
    people = {
        name: factories.UserFactory(email=f"{name}@example.org", full_name=name.title())
        for name in PERSONAS
    }
    factories.OrganisationMembershipFactory(user=people["apprentice"], organisation=employer_org)
    factories.OrganisationMembershipFactory(user=people["employer"], organisation=employer_org)
    factories.OrganisationMembershipFactory(user=people["tutor"], organisation=provider)
    factories.OrganisationMembershipFactory(
        user=people["admin"], organisation=provider, is_admin=True
    )
    factories.OrganisationMembershipFactory(user=people["assessor"], organisation=epao)
    apprenticeship = factories.ApprenticeshipFactory(
        apprentice=people["apprentice"],
        standard_version=standard_version,
        provider=provider,
        employer=employer_org,
        epao=epao,
    )
    factories.MembershipFactory(
        apprenticeship=apprenticeship, user=people["tutor"], role=Role.TUTOR
    )
    factories.MembershipFactory(
        apprenticeship=apprenticeship, user=people["employer"], role=Role.EMPLOYER
    )
    factories.MembershipFactory(
        apprenticeship=apprenticeship, user=people["assessor"], role=Role.ASSESSOR
    )
    # The outsider is a provider admin and tutor somewhere else, with their own apprentice.
    other_provider = factories.ProviderFactory(name="Eastgate Learning")
    factories.OrganisationMembershipFactory(
        user=people["outsider"], organisation=other_provider, is_admin=True
    )
    other = factories.ApprenticeshipFactory(
        provider=other_provider, standard_version=standard_version
    )
    factories.MembershipFactory(apprenticeship=other, user=people["outsider"], role=Role.TUTOR)
    people["apprenticeship"] = apprenticeship
    people["other_apprenticeship"] = other
    return people


def move_to_gateway(apprenticeship: Apprenticeship) -> Apprenticeship:
    """The apprenticeship at gateway (its status only), so the assessor may see it."""
    apprenticeship.status = Apprenticeship.Status.GATEWAY
    apprenticeship.save(update_fields=["status"])
    return apprenticeship


def add_more_personas(people: dict) -> dict:
    """For the access matrix: the admin and a moderator of the first apprenticeship's
    assessment organisation, and a second provider's admin, tutor, employer contact and
    apprentice on that provider's own apprenticeship (the outsider's
    `other_apprenticeship`)."""
    first, other = people["apprenticeship"], people["other_apprenticeship"]
    people["epao_admin"] = factories.UserFactory(
        email="epao.admin@example.org", full_name="Epao Admin"
    )
    factories.OrganisationMembershipFactory(
        user=people["epao_admin"], organisation=first.epao, is_admin=True
    )
    people["moderator"] = factories.UserFactory(
        email="moderator@example.org", full_name="Mo Moderator"
    )
    factories.OrganisationMembershipFactory(
        user=people["moderator"], organisation=first.epao, is_moderator=True
    )
    people["p2_admin"] = factories.UserFactory(email="p2.admin@example.org", full_name="P2 Admin")
    factories.OrganisationMembershipFactory(
        user=people["p2_admin"], organisation=other.provider, is_admin=True
    )
    people["p2_tutor"] = factories.UserFactory(email="p2.tutor@example.org", full_name="P2 Tutor")
    factories.OrganisationMembershipFactory(user=people["p2_tutor"], organisation=other.provider)
    factories.MembershipFactory(apprenticeship=other, user=people["p2_tutor"], role=Role.TUTOR)
    people["p2_employer"] = factories.UserFactory(
        email="p2.employer@example.org", full_name="P2 Employer"
    )
    factories.OrganisationMembershipFactory(user=people["p2_employer"], organisation=other.employer)
    factories.MembershipFactory(
        apprenticeship=other, user=people["p2_employer"], role=Role.EMPLOYER
    )
    people["p2_apprentice"] = other.apprentice
    factories.OrganisationMembershipFactory(user=other.apprentice, organisation=other.employer)
    return people
