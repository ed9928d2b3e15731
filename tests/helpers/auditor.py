"""Auditor access for tests: a grant for a named auditor, taken up through its link."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship
from quality.models import AuditorGrant
from quality.services import auditors
from tests import factories

ALL_AREAS = list(AuditorGrant.AREAS)


def make_auditor(email: str = "auditor@example.org") -> User:
    return factories.UserFactory(email=email, full_name="Ada Auditor")


def give_access(
    *,
    auditor: User,
    by: User,
    apprenticeships: list[Apprenticeship],
    areas: list[str] | None = None,
    days: int = 14,
    accept: bool = True,
    organisation=None,
) -> AuditorGrant:
    """A grant over the listed apprenticeships, given by `by` (an admin of their
    provider), taken up by `auditor` unless `accept` is False."""
    organisation = organisation or apprenticeships[0].provider
    grant = auditors.grant_access(
        organisation=organisation,
        by=by,
        full_name=auditor.full_name,
        email=auditor.email,
        purpose="Ofsted inspection",
        scope=AuditorGrant.Scope.APPRENTICESHIPS,
        apprenticeships=apprenticeships,
        cohort_month=None,
        standard_reference="",
        areas=ALL_AREAS if areas is None else areas,
        last_day=timezone.localdate() + dt.timedelta(days=days),
    )
    if accept:
        auditors.accept_invitation(grant_id=grant.pk, token=grant.token, by=auditor)
        grant.refresh_from_db()
    return grant


def end_grant(grant: AuditorGrant) -> AuditorGrant:
    """Move the grant's end into the past, as if its last day has gone by."""
    AuditorGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - dt.timedelta(days=20),
        ends_at=timezone.now() - dt.timedelta(minutes=1),
    )
    grant.refresh_from_db()
    return grant
