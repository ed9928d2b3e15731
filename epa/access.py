"""Who may see and do what at gateway and in end-point assessment. Child records go
through their apprenticeship (see apprenticeship/access.py)."""

from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import Apprenticeship
from epa.models import GatewayDeclaration, GatewaySnapshot

DECLARE_ACTION = {
    GatewayDeclaration.Party.EMPLOYER: Action.DECLARE_FOR_EMPLOYER,
    GatewayDeclaration.Party.PROVIDER: Action.DECLARE_FOR_PROVIDER,
}


def get_declaration_for(user: User, pk: int) -> GatewayDeclaration:
    """A declaration, for someone who may make (and so withdraw) that party's one."""
    declaration = GatewayDeclaration.objects.select_related("declared_by").filter(pk=pk).first()
    if declaration is None:
        raise Http404
    declaration.apprenticeship = get_apprenticeship_for(
        user, declaration.apprenticeship_id, DECLARE_ACTION[declaration.party]
    )
    return declaration


def get_snapshot_for(user: User, pk: int) -> tuple[Apprenticeship, GatewaySnapshot]:
    """The apprenticeship and its frozen portfolio; 404 until gateway has passed."""
    apprenticeship = get_apprenticeship_for(user, pk, Action.VIEW_SNAPSHOT)
    snapshot = GatewaySnapshot.objects.filter(apprenticeship=apprenticeship).first()
    if snapshot is None:
        raise Http404
    return apprenticeship, snapshot
