"""Emails and background jobs (the outbox) on the provider overview: who sees which.

A provider admin sees the jobs about their own provider's apprenticeships, and may retry
those that failed. Jobs about no apprenticeship (an invitation, a test email) are for site
operators only: signed-in superusers, who see and retry every job.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from apprenticeship import access
from apprenticeship.models import Apprenticeship, Role
from outbox import services as outbox
from outbox.models import OutboxMessage

FAILED_SHOWN = 20


def is_site_operator(user: User) -> bool:
    return user.is_active and user.is_superuser


def require_operations_access(user: User) -> None:
    """Provider admins and site operators; PermissionDenied for anyone else."""
    if not is_site_operator(user):
        access.require_provider_admin(user)


def visible_jobs(user: User) -> QuerySet[OutboxMessage]:
    if is_site_operator(user):
        return OutboxMessage.objects.all()
    scope = access.apprenticeships_as(user, Role.ADMIN).values("pk")
    return OutboxMessage.objects.filter(apprenticeship_id__in=scope)


def get_job_for(user: User, pk: int) -> OutboxMessage:
    """A job the user may see; 404 otherwise (call require_operations_access first)."""
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def jobs_panel(user: User) -> dict:
    """The backlog and the latest failed jobs, each with what it did and for whom: three
    queries however many jobs there are."""
    jobs = visible_jobs(user)
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
