"""Thin Celery tasks: load by id and call a service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from outbox.runner import OutboxTask
from reports import services

__all__ = ["SoftTimeLimitExceeded", "build_report"]


# Queued through the outbox, which retries a storage error (with backoff) and returns the
# job to the queue if its worker dies; the service fails the report after MAX_ATTEMPTS.
@shared_task(
    base=OutboxTask,
    outbox_label="Build a PDF report",
    soft_time_limit=services.BUILD_SOFT_TIME_LIMIT,
    time_limit=services.BUILD_TIME_LIMIT,
)
def build_report(report_id: int) -> None:
    services.build_report(report_id=report_id)
