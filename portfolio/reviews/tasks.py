"""Background jobs for the portfolio. Each is thin: it calls a service, which is tested
without Celery."""

from celery import shared_task

from portfolio.reviews.services import reminders as review_reminders


@shared_task(acks_late=True, soft_time_limit=900, time_limit=960)
def send_review_reminders() -> None:
    """Daily (see CELERY_BEAT_SCHEDULE): reviews due soon, overdue, or waiting for a
    signature. Each email goes once per due event, so running it twice is harmless."""
    review_reminders.send_review_reminders()


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_signature_requests(version_id: int) -> None:
    """Queued when a review is recorded or changed: ask those still to sign."""
    review_reminders.send_signature_requests(version_id=version_id)
