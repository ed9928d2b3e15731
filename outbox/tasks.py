"""The outbox's own tasks: sending a prepared email, and the sweep."""

from celery import shared_task
from django.core.mail import EmailMessage

from outbox import mail, services
from outbox.runner import OutboxTask


@shared_task(
    base=OutboxTask,
    at_most_once=True,
    outbox_label="Email",
    soft_time_limit=120,
    time_limit=150,
)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    """An email written when it was queued (it carries no secret)."""
    mail.deliver(EmailMessage(subject, body, None, to))


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=60)
def sweep() -> None:
    """Every OUTBOX_SWEEP_SECONDS (CELERY_BEAT_SCHEDULE): send what is waiting, re-send
    what the broker lost, return what a dead worker left running."""
    services.sweep()
