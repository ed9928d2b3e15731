"""Thin Celery tasks: load by id and call a service."""

from celery import shared_task

from dataio import services
from outbox.runner import OutboxTask


# Queued through the outbox, which retries a storage error and returns the job to the
# queue if its worker dies. Building is idempotent: a ready zip is left as it is.
@shared_task(
    base=OutboxTask,
    outbox_label="Prepare a copy of someone's records",
    soft_time_limit=600,
    time_limit=660,
)
def build_subject_access(request_id: int) -> None:
    services.build_subject_access(request_id=request_id)
