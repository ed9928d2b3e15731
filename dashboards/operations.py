"""Emails and background jobs (the outbox) on the provider overview: who sees which.

A provider admin sees the jobs about their own provider's apprenticeships, and may retry
those that failed. Jobs about no apprenticeship (an invitation) are for site operators
only (accounts/permissions.py), who may open the overview for them; being a site operator
shows no one's apprenticeship jobs.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import is_site_operator
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Role
from outbox import services as outbox
from outbox.models import OutboxMessage

FAILED_SHOWN = 20


def require_operations_access(user: User) -> None:
    """Provider admins and site operators; PermissionDenied for anyone else."""
    if not is_site_operator(user):
        access.require_provider_admin(user)


def visible_jobs(
    user: User, *, scope: QuerySet[Apprenticeship] | None = None
) -> QuerySet[OutboxMessage]:
    """Jobs for the apprenticeships the user administers (`scope`, if the caller has them
    already: the same as `apprenticeships_as(user, Role.ADMIN)`), and for a site operator
    the jobs of no apprenticeship."""
    if scope is None:
        scope = access.apprenticeships_as(user, Role.ADMIN)
    jobs = Q(apprenticeship_id__in=scope.values("pk"))
    if is_site_operator(user):
        jobs |= Q(apprenticeship_id__isnull=True)
    return OutboxMessage.objects.filter(jobs)


def get_job_for(user: User, pk: int) -> OutboxMessage:
    """A job the user may see; 404 otherwise (call require_operations_access first)."""
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def jobs_panel(user: User, *, scope: QuerySet[Apprenticeship] | None = None) -> dict:
    """The backlog and the latest failed jobs, each with what it did and for whom: three
    queries however many jobs there are. `scope` as for `visible_jobs`."""
    jobs = visible_jobs(user, scope=scope)
    failed = list(
        jobs.filter(status=OutboxMessage.Status.FAILED).order_by("-finished_at", "-pk")[
            :FAILED_SHOWN
        ]
    )
    apprenticeships = Apprenticeship.objects.select_related("apprentice").in_bulk(
        {job.apprenticeship_id for job in failed if job.apprenticeship_id}
    )
    return {
        "backlog": outbox.backlog(jobs),
        "failed_jobs": [
            {
                "job": job,
                "description": outbox.describe(job),
                "apprenticeship": apprenticeships.get(job.apprenticeship_id),
            }
            for job in failed
        ],
    }
