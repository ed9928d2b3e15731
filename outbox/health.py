"""The outbox's part of /healthz (config/health.py)."""

from django.http import HttpRequest

from accounts.permissions import is_site_operator
from outbox import services
from outbox.models import OutboxMessage


def backlog_report(request: HttpRequest) -> dict:
    """How many emails and background jobs wait, since how long, and how many failed.
    A backlog is reported, not judged: a web process restarted for it would not help.
    Signed-in site operators also get each failed job about no apprenticeship (an
    invitation) with its reason; those about an apprenticeship are its provider's to see."""
    figures = services.backlog(OutboxMessage.objects.all())
    detail = {
        "waiting": figures["waiting"],
        "oldest_waiting_seconds": figures["oldest_waiting_seconds"],
        "failed": figures["failed"],
    }
    user = getattr(request, "user", None)
    if user is not None and is_site_operator(user):
        failed = OutboxMessage.objects.filter(
            status=OutboxMessage.Status.FAILED, apprenticeship_id__isnull=True
        )
        detail["failed_jobs"] = [
            {"id": job.pk, "task": job.task, "attempts": job.attempts, "reason": job.last_error}
            for job in failed.order_by("-finished_at", "-pk")[:50]
        ]
    return detail
