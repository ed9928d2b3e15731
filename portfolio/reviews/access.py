"""Who may see and act on a progress review: through its apprenticeship (see
apprenticeship/access.py)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship.access import Action, get_apprenticeship_for
from portfolio.reviews.models import Review


def get_review_for(
    user: User, pk: int, action: Action, *, queryset: QuerySet[Review] | None = None
) -> Review:
    """The review, if the user may do `action` on its apprenticeship (404 if they cannot
    see it, 403 if they may see it but not do this). `review.apprenticeship` carries
    `viewer_roles`. The current version, its targets and signatures come prefetched."""
    base = queryset if queryset is not None else Review.objects.with_current()
    review = base.filter(pk=pk).first()
    if review is None:
        raise Http404
    review.apprenticeship = get_apprenticeship_for(user, review.apprenticeship_id, action)
    return review
