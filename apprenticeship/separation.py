"""Separation of duties: one person acts for one party on an apprenticeship.

The parties are the apprentice, the training provider (its tutors and everyone who works
for it), the employer (its employer contacts on this apprenticeship) and the assessment
organisation (its assessors). Confirmations and signatures are worth something only when
each comes from its own party, so a person who already acts for one party may not take a
role for another: the provider's people are never employer contacts of an apprenticeship
their provider delivers, an employer contact is never its tutor, and so on. A tutor who
also administers the provider acts for one party, the provider, so that is allowed.

`role_conflicts` is asked when a role is given and again at the moment of confirming or
signing, because roles and jobs can change in between. The assessor's independence, which
also looks at ended roles and past jobs, is checked by the assessment (epa) on top of this.
"""

from accounts.models import User
from apprenticeship.models import Apprenticeship, Membership, OrganisationMembership, Role

APPRENTICE = "apprentice"
PROVIDER = "provider"
EMPLOYER = "employer"
ASSESSMENT = "assessment"

PARTY_OF_ROLE = {
    Role.APPRENTICE: APPRENTICE,
    Role.TUTOR: PROVIDER,
    Role.ADMIN: PROVIDER,
    Role.EMPLOYER: EMPLOYER,
    Role.ASSESSOR: ASSESSMENT,
    Role.EPAO_ADMIN: ASSESSMENT,
    Role.MODERATOR: ASSESSMENT,
}


def parties_of(apprenticeship: Apprenticeship, user: User) -> dict[str, str]:
    """{party: why the person acts for it} for every party `user` acts for now. Two
    queries."""
    parties: dict[str, str] = {}
    if user.pk == apprenticeship.apprentice_id:
        parties[APPRENTICE] = "is the apprentice"
    roles = set(
        Membership.objects.filter(
            apprenticeship_id=apprenticeship.pk, user=user, is_active=True
        ).values_list("role", flat=True)
    )
    organisations = set(
        OrganisationMembership.objects.filter(
            user=user,
            is_active=True,
            organisation_id__in=[
                pk for pk in (apprenticeship.provider_id, apprenticeship.epao_id) if pk
            ],
        ).values_list("organisation_id", flat=True)
    )
    if Role.TUTOR in roles:
        parties[PROVIDER] = "is the apprenticeship's tutor"
    elif apprenticeship.provider_id in organisations:
        parties[PROVIDER] = "works for the training provider"
    if Role.EMPLOYER in roles:
        parties[EMPLOYER] = "is the apprenticeship's employer contact"
    if Role.ASSESSOR in roles:
        parties[ASSESSMENT] = "is the apprenticeship's assessor"
    elif apprenticeship.epao_id is not None and apprenticeship.epao_id in organisations:
        parties[ASSESSMENT] = "works for the assessment organisation"
    return parties


def role_conflicts(apprenticeship: Apprenticeship, user: User, role: Role | str) -> list[str]:
    """Why `user` may not act as `role` on this apprenticeship, in plain words (empty when
    they may): they already act for another party."""
    party = PARTY_OF_ROLE[Role(role)]
    name = user.full_name or user.email
    label = Role(role).label.lower()
    return [
        f"{name} {why}, so they cannot also act as {label}: each party to an "
        "apprenticeship must be someone different."
        for other, why in parties_of(apprenticeship, user).items()
        if other != party
    ]


def confirmation_problems(apprenticeship: Apprenticeship, user: User, party: str) -> list[str]:
    """Why `user` may not confirm gateway for `party` ("employer" or "provider") now: they
    must act for that party on this apprenticeship (an employer contact who works for the
    employer; a tutor or admin who works for the provider) and for no other."""
    name = user.full_name or user.email
    acting = parties_of(apprenticeship, user)
    problems = []
    if party == EMPLOYER:
        works_there = OrganisationMembership.objects.filter(
            user=user, organisation_id=apprenticeship.employer_id, is_active=True
        ).exists()
        if EMPLOYER not in acting or not works_there:
            problems.append(
                f"{name} is not, now, an employer contact who works for the employer, so "
                "cannot confirm for the employer."
            )
        role: Role = Role.EMPLOYER
    else:
        if PROVIDER not in acting:
            problems.append(
                f"{name} no longer works for the training provider, so cannot confirm for it."
            )
        role = Role.TUTOR
    return problems + role_conflicts(apprenticeship, user, role)


def moderation_conflicts(apprenticeship: Apprenticeship, user: User) -> list[str]:
    """Why `user` may not moderate this apprenticeship's result (empty when they may): a
    moderator is never its assessor, now or before, and acts for no other party."""
    name = user.full_name or user.email
    problems = []
    if Membership.objects.filter(
        apprenticeship_id=apprenticeship.pk, user=user, role=Role.ASSESSOR
    ).exists():
        problems.append(
            f"{name} is or was this apprenticeship's assessor, so cannot moderate its result."
        )
    return problems + role_conflicts(apprenticeship, user, Role.MODERATOR)
