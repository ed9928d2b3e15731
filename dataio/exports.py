"""Which rows each CSV export holds, for the person asking, and whether it is small enough
to stream from the request. Reads only: dataio/services/exports.py builds the large ones.

Every export starts from the reader's own scope in apprenticeship/access.py, worked out
again when a worker builds it, so a file never holds more than the person may see then.
"""

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Role
from dataio import funding_return, selectors
from dataio.models import Export

# Up to this many apprenticeships stream from the request (a fraction of a second); more
# are built by a worker, with a download when ready.
INLINE_ROWS = 500

ROLE = {
    Export.Kind.CASELOAD: Role.TUTOR,
    Export.Kind.PROVIDER: Role.ADMIN,
    Export.Kind.FUNDING_RETURN: Role.ADMIN,
}


def scope(user: User, kind: str) -> QuerySet[Apprenticeship]:
    return access.apprenticeships_as(user, ROLE[Export.Kind(kind)])


def rows(user: User, kind: str, *, today: dt.date) -> Iterator[list[str]]:
    """The export's lines: the same code whether streamed or built by a worker."""
    apprenticeships = scope(user, kind)
    if kind == Export.Kind.FUNDING_RETURN:
        return funding_return.funding_return_rows(apprenticeships, today=today)
    return selectors.caseload_rows(apprenticeships, today=today)


def is_large(user: User, kind: str) -> bool:
    return scope(user, kind).count() > INLINE_ROWS
