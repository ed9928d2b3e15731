"""Notification jobs: writing one event's notifications, and the daily digest."""

from celery import shared_task

from notifications import services
from outbox.runner import OutboxTask


@shared_task(base=OutboxTask, outbox_label="Notification", soft_time_limit=60, time_limit=90)
def notify(*, event: str, notification_key: str, object_id: int) -> None:
    """Queued by a service through the outbox after the event; safe to run twice."""
    services.notify(event=event, key=notification_key, object_id=object_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=300, time_limit=360)
def send_daily_digests() -> None:
    """Every morning (CELERY_BEAT_SCHEDULE): one email to each person who chose a digest."""
    services.send_digests()
