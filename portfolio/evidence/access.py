"""Who may see and do what with evidence, its files, sign-offs, testimonies and the
private list of names. Child records go through their
apprenticeship: load the row, then `get_apprenticeship_for(user, row.apprenticeship_id,
action)` decides (see apprenticeship/access.py).

Which evidence a role sees:
- the apprentice: all of their own, drafts included;
- the tutor and the provider admin: everything submitted (drafts stay private);
- the employer contact: submitted evidence the apprentice lets the employer see;
- the assessor: none of the live portfolio, only the snapshot frozen at gateway (epa).
A record the viewer may not see is a 404, whatever the action.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for, is_allowed
from apprenticeship.models import Apprenticeship, Role
from portfolio.evidence.models import (
    DutySignOff,
    Evidence,
    EvidenceFile,
    EvidenceQuerySet,
    EvidenceVersion,
    ProtectedName,
    TestimonyRequest,
    WitnessTestimony,
)

SEES_ALL_SUBMITTED = frozenset({Role.TUTOR, Role.ADMIN})


def visible_evidence(apprenticeship: Apprenticeship) -> EvidenceQuerySet:
    """The evidence of an apprenticeship loaded with `get_apprenticeship_for`, as its
    viewer may see it (for lists, coverage and every single-item lookup)."""
    roles = apprenticeship.viewer_roles
    evidence = Evidence.objects.filter(apprenticeship=apprenticeship)
    if Role.APPRENTICE in roles:
        return evidence
    if roles & SEES_ALL_SUBMITTED:
        return evidence.submitted()
    if Role.EMPLOYER in roles:
        return evidence.submitted().filter(visible_to_employer=True)
    return evidence.none()


def visible_versions(apprenticeship: Apprenticeship) -> QuerySet[EvidenceVersion]:
    """Versions of the evidence its viewer may see (for what a sign-off relies on): a
    version of an item the viewer may not see is not shown, not even its title."""
    return EvidenceVersion.objects.filter(
        evidence__in=visible_evidence(apprenticeship).values("pk")
    )


def hidden_evidence_events(apprenticeship: Apprenticeship) -> Q | None:
    """The history lines about evidence the viewer may not see (a draft's title is the
    apprentice's own until they submit it). Registered with apprenticeship.history."""
    if Role.APPRENTICE in apprenticeship.viewer_roles:
        return None
    visible_ids = (
        visible_evidence(apprenticeship)
        .order_by()
        .annotate(key=Cast("pk", output_field=CharField()))
        .values("key")
    )
    return Q(object_type=Evidence._meta.label_lower) & ~Q(object_id__in=visible_ids)


def _require(apprenticeship: Apprenticeship, action: Action) -> None:
    if not is_allowed(apprenticeship.viewer_roles, action):
        raise PermissionDenied


def get_evidence_for(
    user: User, pk: int, action: Action, *, queryset: QuerySet[Evidence] | None = None
) -> Evidence:
    """One evidence item, if the user may see it (else 404) and do `action` (else 403).
    The item's `apprenticeship` carries `viewer_roles`."""
    apprenticeship_id = (
        Evidence.objects.filter(pk=pk).values_list("apprenticeship_id", flat=True).first()
    )
    if apprenticeship_id is None:
        raise Http404
    apprenticeship = get_apprenticeship_for(user, apprenticeship_id, Action.VIEW_EVIDENCE)
    rows = visible_evidence(apprenticeship)
    if queryset is not None:
        rows = rows & queryset
    evidence = rows.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    _require(apprenticeship, action)
    evidence.apprenticeship = apprenticeship
    return evidence


def get_file_for(user: User, pk: int, action: Action = Action.VIEW_EVIDENCE) -> EvidenceFile:
    """A file, if the user may see the evidence it belongs to and do `action` on it."""
    file = EvidenceFile.objects.filter(pk=pk).first()
    if file is None:
        raise Http404
    file.evidence = get_evidence_for(user, file.evidence_id, action)
    return file


def get_sign_off_for(user: User, pk: int, action: Action) -> DutySignOff:
    sign_off = DutySignOff.objects.select_related("duty", "signed_by").filter(pk=pk).first()
    if sign_off is None:
        raise Http404
    sign_off.apprenticeship = get_apprenticeship_for(user, sign_off.apprenticeship_id, action)
    return sign_off


def get_testimony_for(user: User, pk: int, action: Action) -> WitnessTestimony:
    testimony = WitnessTestimony.objects.select_related("author").filter(pk=pk).first()
    if testimony is None:
        raise Http404
    testimony.apprenticeship = get_apprenticeship_for(user, testimony.apprenticeship_id, action)
    return testimony


def get_testimony_request_for(user: User, pk: int, action: Action) -> TestimonyRequest:
    """A testimony request. Writing it (WRITE_TESTIMONY) is for the employer contact it
    was asked of alone: another employer contact is refused (403)."""
    request = (
        TestimonyRequest.objects.select_related("witness", "requested_by").filter(pk=pk).first()
    )
    if request is None:
        raise Http404
    request.apprenticeship = get_apprenticeship_for(user, request.apprenticeship_id, action)
    if action == Action.WRITE_TESTIMONY and request.witness_id != user.pk:
        raise PermissionDenied
    return request


def get_protected_name_for(user: User, pk: int) -> ProtectedName:
    name = ProtectedName.objects.filter(pk=pk).first()
    if name is None:
        raise Http404
    apprenticeship = get_apprenticeship_for(user, name.apprenticeship_id, Action.VIEW)
    if Role.APPRENTICE not in apprenticeship.viewer_roles:
        # Someone else's private list: not even its existence is shown.
        raise Http404
    name.apprenticeship = apprenticeship
    return name


# -- progress reviews ------------------------------------------------------------------


# -- off-the-job training --------------------------------------------------------------
