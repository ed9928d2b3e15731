"""Who may see and do what with portfolio records. Child records go through their
apprenticeship: load the row, then `get_apprenticeship_for(user, row.apprenticeship_id,
action)` decides (see apprenticeship/access.py)."""

from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import BreakInLearning
from portfolio.models import OtjEntry

# -- off-the-job training --------------------------------------------------------------


def get_otj_entry_for(user: User, pk: int, action: Action) -> OtjEntry:
    """One off-the-job entry (any version), if the user may do `action` on its
    apprenticeship. The entry's `apprenticeship` carries `viewer_roles`."""
    entry = OtjEntry.objects.for_log().filter(pk=pk).first()
    if entry is None:
        raise Http404
    entry.apprenticeship = get_apprenticeship_for(user, entry.apprenticeship_id, action)
    return entry


def get_break_for(user: User, pk: int, action: Action) -> BreakInLearning:
    brk = BreakInLearning.objects.filter(pk=pk).first()
    if brk is None:
        raise Http404
    brk.apprenticeship = get_apprenticeship_for(user, brk.apprenticeship_id, action)
    return brk
