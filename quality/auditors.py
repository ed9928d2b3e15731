"""Who sees what under an auditor's access: the access rules of every auditor page.

An auditor has no role on any apprenticeship (apprenticeship/access.py gives them nothing):
everything they read goes through the functions here, so every list, count and page obeys
one rule.

- The grant must be the auditor's own, taken up through its invitation link, not revoked
  and not ended. The end is checked on each request, against the clock: no job is needed
  for access to stop. A grant of theirs that has ended or been revoked is a 403 with a
  plain page saying so; anyone else's is a 404.
- The apprenticeship must be in the grant's scope: of the granting training provider (or,
  for an assessment organisation's grant, assessed by it and past gateway), and listed,
  in the cohort, or of the standard.
- The area (portfolio, off-the-job log, reviews, gateway, results) must be one the grant
  names; another is a 403.
- Never the wellbeing plan, supervision, the review's wellbeing check-in, drafts, evidence
  the apprentice keeps from their employer, or the private list of names: nothing here
  reads them.

The grantor side: the admins of the granting organisation see its grants and the log.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from apprenticeship.models import Apprenticeship, Organisation, OrganisationMembership
from epa.models import AssessmentRound, GatewayDeclaration
from portfolio.evidence.models import Evidence, EvidenceFile
from portfolio.reviews.models import Review
from portfolio.training.models import OtjEntry
from quality.models import AuditorGrant

GRANTING_KINDS = (Organisation.Kind.PROVIDER, Organisation.Kind.EPAO)
# What an assessment organisation's grant may cover: its own records.
EPAO_AREAS = frozenset({"gateway", "results"})


class AccessEnded(PermissionDenied):
    """The auditor's own grant, which has ended or been revoked."""

    def __init__(self, grant: AuditorGrant) -> None:
        super().__init__("Your access has ended.")
        self.grant = grant


# -- the grantor's side ----------------------------------------------------------------


def granting_organisations(user: User) -> QuerySet[Organisation]:
    """Training providers and assessment organisations the user administers: those whose
    records they may open to an auditor."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind__in=GRANTING_KINDS,
        pk__in=OrganisationMembership.objects.filter(
            user=user, is_admin=True, is_active=True
        ).values("organisation_id"),
    )


def require_grantor(user: User) -> None:
    if not granting_organisations(user).exists():
        raise PermissionDenied


def grants_given(user: User) -> QuerySet[AuditorGrant]:
    """The grants of every organisation the user administers (for the list)."""
    return AuditorGrant.objects.filter(organisation__in=granting_organisations(user))


def get_grant_for_grantor(user: User, pk: int) -> AuditorGrant:
    """A grant of an organisation the user administers; anything else is a 404."""
    grant = (
        grants_given(user)
        .select_related("organisation", "granted_by", "revoked_by", "user")
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        raise Http404
    return grant


def grantable_apprenticeships(organisation: Organisation) -> QuerySet[Apprenticeship]:
    """What an organisation may open to an auditor: a provider its own apprenticeships; an
    assessment organisation the ones it assesses, once past gateway."""
    if organisation.kind == Organisation.Kind.PROVIDER:
        return Apprenticeship.objects.filter(provider=organisation)
    if organisation.kind == Organisation.Kind.EPAO:
        return Apprenticeship.objects.filter(
            epao=organisation, status__in=Apprenticeship.POST_GATEWAY
        )
    return Apprenticeship.objects.none()


# -- the auditor's side ----------------------------------------------------------------


def open_grants(user: User, now: dt.datetime | None = None) -> QuerySet[AuditorGrant]:
    """The auditor's grants that work now."""
    if not user.is_authenticated:
        return AuditorGrant.objects.none()
    return AuditorGrant.objects.filter(user=user).open_at(now or timezone.now())


def get_open_grant(user: User, pk: int, now: dt.datetime | None = None) -> AuditorGrant:
    """The auditor's own grant, if it works now. Someone else's is a 404; their own that
    has ended, been revoked or not been taken up is AccessEnded (a 403)."""
    if not user.is_authenticated:
        raise Http404
    grant = (
        AuditorGrant.objects.select_related("organisation")
        .filter(pk=pk, user=user, accepted_at__isnull=False)
        .first()
    )
    if grant is None:
        raise Http404
    if not grant.is_open(now or timezone.now()):
        raise AccessEnded(grant)
    return grant


def apprenticeships_in_scope(grant: AuditorGrant) -> QuerySet[Apprenticeship]:
    """Every apprenticeship the grant covers (for the list, its count and every page)."""
    rows = grantable_apprenticeships(grant.organisation)
    if grant.scope == AuditorGrant.Scope.APPRENTICESHIPS:
        listed = AuditorGrant.apprenticeships.through.objects.filter(auditorgrant_id=grant.pk)
        return rows.filter(pk__in=listed.values("apprenticeship_id"))
    if grant.scope == AuditorGrant.Scope.COHORT and grant.cohort_month is not None:
        month = grant.cohort_month
        return rows.filter(start_date__year=month.year, start_date__month=month.month)
    if grant.scope == AuditorGrant.Scope.STANDARD and grant.standard_reference:
        return rows.filter(standard_version__reference=grant.standard_reference)
    return rows.none()


def get_audited_apprenticeship(
    user: User, grant_pk: int, pk: int, area: str | None = None
) -> tuple[AuditorGrant, Apprenticeship]:
    """The grant and one apprenticeship in its scope, if the grant works now and names
    `area` (None: the apprenticeship's summary). Out of scope: 404; an area not granted:
    403."""
    grant = get_open_grant(user, grant_pk)
    apprenticeship = (
        apprenticeships_in_scope(grant)
        .select_related("apprentice", "standard_version", "provider", "employer", "epao")
        .filter(pk=pk)
        .first()
    )
    if apprenticeship is None:
        raise Http404
    if area is not None and area not in grant.areas:
        raise PermissionDenied
    return grant, apprenticeship


# What each area lets the auditor read. Each is the one rule for its list and its items.


def audited_evidence(grant: AuditorGrant, apprenticeship: Apprenticeship) -> QuerySet[Evidence]:
    """Submitted evidence the apprentice lets their employer see: never a draft, never what
    they keep from their employer."""
    if "portfolio" not in grant.areas:
        return Evidence.objects.none()
    return Evidence.objects.filter(apprenticeship=apprenticeship, visible_to_employer=True).exclude(
        status=Evidence.Status.DRAFT
    )


def get_audited_file(
    user: User, grant_pk: int, pk: int, file_pk: int
) -> tuple[AuditorGrant, Apprenticeship, EvidenceFile]:
    """A current file of evidence the auditor may read, with its grant and apprenticeship."""
    grant, apprenticeship = get_audited_apprenticeship(user, grant_pk, pk, "portfolio")
    file = (
        EvidenceFile.objects.current()
        .filter(pk=file_pk, evidence__in=audited_evidence(grant, apprenticeship).values("pk"))
        .first()
    )
    if file is None:
        raise Http404
    return grant, apprenticeship, file


def audited_otj(grant: AuditorGrant, apprenticeship: Apprenticeship) -> QuerySet[OtjEntry]:
    """The current version of each off-the-job entry."""
    if "otj" not in grant.areas:
        return OtjEntry.objects.none()
    return OtjEntry.objects.current().filter(apprenticeship=apprenticeship)


def audited_reviews(grant: AuditorGrant, apprenticeship: Apprenticeship) -> QuerySet[Review]:
    """Recorded progress reviews (their wellbeing check-in is never shown)."""
    if "reviews" not in grant.areas:
        return Review.objects.none()
    return Review.objects.filter(
        apprenticeship=apprenticeship, current_version__isnull=False, cancelled_at__isnull=True
    )


def audited_declarations(
    grant: AuditorGrant, apprenticeship: Apprenticeship
) -> QuerySet[GatewayDeclaration]:
    if "gateway" not in grant.areas:
        return GatewayDeclaration.objects.none()
    return GatewayDeclaration.objects.filter(apprenticeship=apprenticeship)


def audited_rounds(
    grant: AuditorGrant, apprenticeship: Apprenticeship
) -> QuerySet[AssessmentRound]:
    """Results the granting organisation holds: for a provider, those released to it; for
    the assessment organisation, those its assessor confirmed."""
    if "results" not in grant.areas:
        return AssessmentRound.objects.none()
    rounds = AssessmentRound.objects.filter(apprenticeship=apprenticeship)
    if grant.organisation.kind == Organisation.Kind.EPAO:
        return rounds.filter(confirmed_at__isnull=False)
    return rounds.filter(released_at__isnull=False)


def sees(grant: AuditorGrant) -> dict[str, bool]:
    """For templates: {area: granted}."""
    granted = set(grant.areas)
    return {area: area in granted for area in AuditorGrant.AREAS}
