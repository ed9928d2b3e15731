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


# Nightly (CELERY_BEAT_SCHEDULE). Safe to run twice, or twice at once: each apprenticeship
# is locked and checked again before it is reduced, and a reduced one is not listed again.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900)
def apply_retention() -> None:
    services.apply_retention_everywhere()
    services.prune_exports()


# Queued through the outbox when a provider admin confirms an enrolment file. One
# transaction: every row or none. Idempotent: a finished import is left as it is.
@shared_task(
    base=OutboxTask,
    outbox_label="Enrol the apprentices of a spreadsheet",
    soft_time_limit=3600,
    time_limit=3700,
)
def run_enrolment_import(import_id: int) -> None:
    services.run_enrolment_import(import_id=import_id)


# Queued through the outbox for an export too large to stream from the request.
@shared_task(
    base=OutboxTask,
    outbox_label="Prepare a large spreadsheet export",
    soft_time_limit=900,
    time_limit=960,
)
def build_export(export_id: int) -> None:
    services.build_export(export_id=export_id)
