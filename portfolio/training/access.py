"""Who may see and change off-the-job entries and breaks in learning. Each goes through
its apprenticeship (see apprenticeship/access.py)."""

from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import BreakInLearning
from portfolio.training.models import OtjEntry


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
