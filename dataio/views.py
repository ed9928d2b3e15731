"""Downloads and uploads of data in bulk. Every export starts from the reader's own scope in
apprenticeship/access.py, so it lists exactly what their pages list."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from apprenticeship import access
from apprenticeship.models import Role
from dataio import funding_return, selectors


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def caseload_export(request):
    """The tutor's caseload as CSV: the figures of the caseload page, one row each."""
    if Role.TUTOR not in access.home_roles(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    scope = access.apprenticeships_as(request.user, Role.TUTOR)
    return _csv_response(
        selectors.caseload_rows(scope, today=today), f"caseload-{today.isoformat()}.csv"
    )


@login_required
@require_GET
def provider_export(request):
    """Every apprenticeship at the providers the admin runs, with the caseload's figures."""
    access.require_provider_admin(request.user)
    today = timezone.localdate()
    scope = access.apprenticeships_as(request.user, Role.ADMIN)
    return _csv_response(
        selectors.caseload_rows(scope, today=today), f"apprenticeships-{today.isoformat()}.csv"
    )


@login_required
@require_GET
def funding_return_export(request):
    """Planned and actual off-the-job hours for the funding return (ILR field names)."""
    access.require_provider_admin(request.user)
    today = timezone.localdate()
    scope = access.apprenticeships_as(request.user, Role.ADMIN)
    return _csv_response(
        funding_return.funding_return_rows(scope, today=today),
        f"funding-return-off-the-job-{today.isoformat()}.csv",
    )
